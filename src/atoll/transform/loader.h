// Loading a dbt project (docs/transform.md, "Project format"): dbt_project.yml, models
// (.sql), properties (.yml), seeds (.csv), snapshots ({% snapshot %} blocks), singular and
// generic tests, analyses and macros. Nothing is rendered: dependencies come from
// static_parse.h; a node whose Jinja needs rendering is passed to
// ProjectLoadOptions::render_dependencies when set (the hook of the Jinja engine), else it
// keeps its static dependencies and the project carries a warning.
//
// Errors (kInvalidArgument unless the store failed) name the file and, where known, the
// line: malformed YAML, a missing or unnamed resource, duplicate names, a ref or source
// that names nothing, a ref to a disabled node, an unknown generic test, and cycles
// ("dependency cycle: model.p.a -> model.p.b -> model.p.a").
#pragma once

#include <functional>

#include "atoll/transform/project.h"
#include "atoll/transform/project_files.h"

namespace atl::transform {

struct ProjectLoadOptions {
  // The Jinja engine's hook: the refs, sources and config() of `node` as rendering finds
  // them (for nodes whose parse.needs_rendering is true), called after every file is read
  // and before configs are resolved (`project` has its vars, macros, nodes and sources).
  // The result replaces the static parse of the node; an error fails the load with the
  // node's file in context.
  std::function<Result<StaticParse>(const Node& node, const Project& project)> render_dependencies;
  // --vars: merged over the project's vars.
  Json vars = Json::object();
};

Result<Project> LoadProject(ProjectFiles& files, const ProjectLoadOptions& options = {});

// The --vars argument: a YAML (or JSON) mapping, as dbt accepts it ("{key: value}").
Result<Json> ParseVars(const std::string& text);

// Opens and loads the project at `uri` (a local folder or a store URI).
Result<Project> LoadProject(const std::string& uri, const ProjectLoadOptions& options = {});

}  // namespace atl::transform
