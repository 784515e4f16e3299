"""Runs one OpenStack Swift server, or builds the rings, with a private config dir.

Used by swift.sh (run with Debian's /usr/bin/python3, which has python3-swift):

  swift_launch.py rings ETC_DIR ACCOUNT_PORT CONTAINER_PORT OBJECT_PORT
      writes {account,container,object}.ring.gz into ETC_DIR: one device "d1" on
      127.0.0.1, one replica (one Python start-up instead of nine swift-ring-builder calls)
  swift_launch.py serve ETC_DIR SERVER CONF_FILE
      runs SERVER (proxy-server, object-server, ...) in the foreground until SIGTERM

Swift 2.30 reads its hash prefix/suffix, storage policies and constraints from the
hard-coded /etc/swift/swift.conf. Before anything else this points Swift at
ETC_DIR/swift.conf, so nothing under /etc/swift is read or written.
"""
import sys

from swift.common import utils


def use_config_dir(etc_dir):
    utils.set_swift_dir(etc_dir)  # validates ETC_DIR/swift.conf, or raises
    from swift.common import constraints, storage_policy
    storage_policy.reload_storage_policies()
    constraints.reload_constraints()


def build_rings(etc_dir, ports):
    from swift.common.ring import RingBuilder
    for name, port in zip(("account", "container", "object"), ports):
        builder = RingBuilder(part_power=8, replicas=1, min_part_hours=1)
        builder.add_dev({"id": 0, "region": 1, "zone": 1, "ip": "127.0.0.1",
                         "port": int(port), "device": "d1", "weight": 100.0})
        builder.rebalance()
        builder.get_ring().save("%s/%s.ring.gz" % (etc_dir, name))


def serve(server, conf_file):
    from swift.common.wsgi import run_wsgi
    kwargs = {}
    if server == "object-server":
        from swift.obj import server as object_server
        kwargs["global_conf_callback"] = object_server.global_conf_callback
    return run_wsgi(conf_file, server, verbose=True, **kwargs)


def main(argv):
    if len(argv) == 6 and argv[1] == "rings":
        use_config_dir(argv[2])
        build_rings(argv[2], argv[3:6])
        return 0
    if len(argv) == 5 and argv[1] == "serve":
        use_config_dir(argv[2])
        return serve(argv[3], argv[4])
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
