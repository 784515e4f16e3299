#include "atoll/transform/dbt_builtins.h"

namespace atl::transform {

std::string_view BuiltinTestMacros() {
  // Failing rows: nulls; values seen more than once; values outside the list; children
  // without a parent.
  return R"jinja({% test not_null(model, column_name) %}
select {{ column_name }}
from {{ model }}
where {{ column_name }} is null
{% endtest %}

{% test unique(model, column_name) %}
select {{ column_name }} as unique_field, count(*) as n_records
from {{ model }}
where {{ column_name }} is not null
group by {{ column_name }}
having count(*) > 1
{% endtest %}

{% test accepted_values(model, column_name, values, quote=True) %}
select {{ column_name }} as value_field, count(*) as n_records
from {{ model }}
where {{ column_name }} not in (
{%- for v in values -%}
{%- if quote %}'{{ v | string | replace("'", "''") }}'{% else %}{{ v }}{% endif -%}
{{- ", " if not loop.last -}}
{%- endfor -%}
)
group by {{ column_name }}
{% endtest %}

{% test relationships(model, column_name, to, field) %}
select child.{{ column_name }} as from_field
from {{ model }} as child
left join {{ to }} as parent on child.{{ column_name }} = parent.{{ field }}
where child.{{ column_name }} is not null and parent.{{ field }} is null
{% endtest %}
)jinja";
}

}  // namespace atl::transform
