#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
#   crictl [--runtime-endpoint unix:///run/containerd/containerd.sock] VERB ...
#
# The test bed's CRI client, with crictl's command line for the verbs the
# runtimes root's tests use, so that a test written for the real crictl runs
# unchanged (and the real one can replace this): version, runp, create,
# start, stop, rm, stopp, rmp, ps, pods, inspect, inspectp. The configs are
# crictl's JSON (the CRI's protobuf field names, enums as numbers or names);
# inspect and inspectp print {"status": ..., "info"...} as crictl does. It
# speaks runtime.v1 over gRPC with the stubs runtimes-root.sh compiled from
# the CRI's api.proto into the root (CRICTL_STUBS; python3-grpcio). The
# endpoint: --runtime-endpoint / -r, else CONTAINER_RUNTIME_ENDPOINT, else
# runtime-endpoint in /etc/crictl.yaml, else containerd's socket. Errors: one
# line as crictl's fatal log writes it, exit 1.
#
# Under qemu's TCG a python start with grpc and the stubs costs seconds, a
# test makes dozens of calls: "crictl.py --serve SOCKET" loads them once and
# runs each call it is sent, with one channel per endpoint as the kubelet
# keeps one; a call finding that SOCKET (CRICTL_SERVER) hands its command
# line, directory and endpoint variable over, and prints what it returns.
import json
import os
import socket
import sys

SERVER = os.environ.get("CRICTL_SERVER", "/run/mntwatch-crictl.sock")


def recv_all(conn):
    chunks = []
    while True:
        b = conn.recv(65536)
        if not b:
            return b"".join(chunks)
        chunks.append(b)


def forward(path):
    """this call run by the server at PATH; False if none answers"""
    try:
        conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        conn.connect(path)
    except OSError:
        return False
    with conn:
        conn.sendall(json.dumps({"argv": sys.argv[1:], "cwd": os.getcwd(),
                                 "endpoint": os.environ.get("CONTAINER_RUNTIME_ENDPOINT", "")}).encode())
        conn.shutdown(socket.SHUT_WR)
        resp = json.loads(recv_all(conn))
    sys.stdout.write(resp["out"])
    sys.stderr.write(resp["err"])
    sys.exit(resp["rc"])


# a call the server runs needs no more than the above
if __name__ == "__main__" and sys.argv[1:2] != ["--serve"]:
    forward(SERVER)

import argparse  # noqa: E402
import base64  # noqa: E402
import contextlib  # noqa: E402
import datetime  # noqa: E402
import io  # noqa: E402
import re  # noqa: E402
import time  # noqa: E402

DEFAULT_ENDPOINT = "unix:///run/containerd/containerd.sock"
grpc = json_format = FieldDescriptor = pb = api_pb2_grpc = None


def load_grpc():
    global grpc, json_format, FieldDescriptor, pb, api_pb2_grpc
    sys.path.insert(0, os.environ.get("CRICTL_STUBS", "/usr/local/lib/mntwatch/cri"))
    import grpc
    from google.protobuf import json_format
    from google.protobuf.descriptor import FieldDescriptor
    import api_pb2 as pb
    import api_pb2_grpc


def fatal(msg):
    ts = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    print(f'time="{ts}" level=fatal msg="{msg}"', file=sys.stderr)
    sys.exit(1)


def rpc_text(err):
    return f"rpc error: code = {err.code().name.title().replace('_', '')} desc = {err.details()}"


def endpoint(args):
    if args.runtime_endpoint:
        return args.runtime_endpoint
    if os.environ.get("CONTAINER_RUNTIME_ENDPOINT"):
        return os.environ["CONTAINER_RUNTIME_ENDPOINT"]
    try:
        for line in open("/etc/crictl.yaml"):
            m = re.match(r"\s*runtime-endpoint:\s*(\S+)", line)
            if m:
                return m.group(1).strip("\"'")
    except OSError:
        pass
    return DEFAULT_ENDPOINT


def load(path, message):
    """a crictl JSON config into MESSAGE: protobuf field names, unknown keys ignored"""
    try:
        data = json.load(open(path))
    except (OSError, ValueError) as e:
        fatal(f"load {path}: {e}")
    # an env value is a string in crictl's JSON and in containerd 1.6's API;
    # newer APIs made it bytes (the same on the wire), which JSON writes in base64
    if pb.KeyValue.DESCRIPTOR.fields_by_name["value"].type == FieldDescriptor.TYPE_BYTES:
        for e in data.get("envs", []) if isinstance(data, dict) else []:
            if isinstance(e, dict) and isinstance(e.get("value"), str):
                e["value"] = base64.b64encode(e["value"].encode()).decode()
    try:
        return json_format.ParseDict(data, message, ignore_unknown_fields=True)
    except json_format.ParseError as e:
        fatal(f"load {path}: {e}")


def to_json(message):
    return json.dumps(json_format.MessageToDict(message, including_default_value_fields=True))


def status_info(status, info):
    """crictl's outputStatusInfo: the status, then each info key, as JSON where it parses"""
    out = {"status": json.loads(to_json(status))}
    for k in sorted(info):
        try:
            out[k] = json.loads(info[k])
        except ValueError:
            out[k] = info[k]
    return json.dumps(out, indent=2)


def ago(ns):
    s = max(0, int(time.time() - ns / 1e9))
    if s < 1:
        return "Less than a second ago"
    if s < 60:
        return f"{s} seconds ago"
    if s < 3600:
        return f"{s // 60} minutes ago" if s >= 120 else "About a minute ago"
    return f"{s // 3600} hours ago" if s >= 7200 else "About an hour ago"


def table(rows):
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        print("   ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip())


def verb_version(cri, args):
    v = call("getting the runtime version", cri.Version, pb.VersionRequest(version="v1"))
    print(f"Version:  {v.version}\nRuntimeName:  {v.runtime_name}\n"
          f"RuntimeVersion:  {v.runtime_version}\nRuntimeApiVersion:  {v.runtime_api_version}")


def verb_runp(cri, args):
    config = load(args.config, pb.PodSandboxConfig())
    r = call("run pod sandbox", cri.RunPodSandbox,
             pb.RunPodSandboxRequest(config=config, runtime_handler=args.runtime or ""))
    print(r.pod_sandbox_id)


def verb_create(cri, args):
    container = load(args.container_config, pb.ContainerConfig())
    sandbox = load(args.pod_config, pb.PodSandboxConfig())
    r = call("creating container", cri.CreateContainer,
             pb.CreateContainerRequest(pod_sandbox_id=args.pod, config=container, sandbox_config=sandbox))
    print(r.container_id)


def verb_start(cri, args):
    for cid in args.ids:
        call(f"starting the container {cid!r}", cri.StartContainer, pb.StartContainerRequest(container_id=cid))
        print(cid)


def verb_stop(cri, args):
    for cid in args.ids:
        call(f"stopping the container {cid!r}", cri.StopContainer,
             pb.StopContainerRequest(container_id=cid, timeout=args.timeout))
        print(cid)


def verb_rm(cri, args):
    for cid in args.ids:
        if args.force:
            call(f"stopping the container {cid!r}", cri.StopContainer, pb.StopContainerRequest(container_id=cid))
        call(f"removing container {cid!r}", cri.RemoveContainer, pb.RemoveContainerRequest(container_id=cid))
        print(cid)


def verb_stopp(cri, args):
    for pid in args.ids:
        call(f"stopping the pod sandbox {pid!r}", cri.StopPodSandbox, pb.StopPodSandboxRequest(pod_sandbox_id=pid))
        print(f"Stopped sandbox {pid}")


def verb_rmp(cri, args):
    for pid in args.ids:
        if args.force:
            call(f"stopping the pod sandbox {pid!r}", cri.StopPodSandbox,
                 pb.StopPodSandboxRequest(pod_sandbox_id=pid))
        call(f"removing the pod sandbox {pid!r}", cri.RemovePodSandbox,
             pb.RemovePodSandboxRequest(pod_sandbox_id=pid))
        print(f"Removed sandbox {pid}")


def verb_ps(cri, args):
    f = pb.ContainerFilter(pod_sandbox_id=args.pod or "")
    if args.state:
        f.state.state = pb.ContainerState.Value("CONTAINER_" + args.state.upper())
    elif not args.all:
        f.state.state = pb.CONTAINER_RUNNING
    cs = call("listing containers", cri.ListContainers, pb.ListContainersRequest(filter=f)).containers
    cs = [c for c in cs if not args.name or re.search(args.name, c.metadata.name)]
    cs.sort(key=lambda c: -c.created_at)
    if args.quiet:
        for c in cs:
            print(c.id)
        return
    pods = {p.id: p.metadata.name for p in cri.ListPodSandbox(pb.ListPodSandboxRequest()).items}
    rows = [["CONTAINER", "IMAGE", "CREATED", "STATE", "NAME", "ATTEMPT", "POD ID", "POD"]]
    for c in cs:
        rows.append([c.id[:13], c.image.image or c.image_ref, ago(c.created_at),
                     pb.ContainerState.Name(c.state).replace("CONTAINER_", "").title(),
                     c.metadata.name, c.metadata.attempt, c.pod_sandbox_id[:13], pods.get(c.pod_sandbox_id, "")])
    table(rows)


def verb_pods(cri, args):
    f = pb.PodSandboxFilter()
    if args.state:
        f.state.state = pb.PodSandboxState.Value("SANDBOX_" + args.state.upper())
    ps = call("listing pod sandboxes", cri.ListPodSandbox, pb.ListPodSandboxRequest(filter=f)).items
    ps = [p for p in ps if (not args.name or re.search(args.name, p.metadata.name)) and
          (not args.namespace or re.search(args.namespace, p.metadata.namespace))]
    ps.sort(key=lambda p: -p.created_at)
    if args.quiet:
        for p in ps:
            print(p.id)
        return
    rows = [["POD ID", "CREATED", "STATE", "NAME", "NAMESPACE", "ATTEMPT", "RUNTIME"]]
    for p in ps:
        rows.append([p.id[:13], ago(p.created_at), pb.PodSandboxState.Name(p.state).replace("SANDBOX_", ""),
                     p.metadata.name, p.metadata.namespace, p.metadata.attempt, p.runtime_handler or "(default)"])
    table(rows)


def verb_inspect(cri, args):
    for cid in args.ids:
        r = call("getting the status of the container", cri.ContainerStatus,
                 pb.ContainerStatusRequest(container_id=cid, verbose=True))
        print(status_info(r.status, r.info))


def verb_inspectp(cri, args):
    for pid in args.ids:
        r = call("getting the pod sandbox status", cri.PodSandboxStatus,
                 pb.PodSandboxStatusRequest(pod_sandbox_id=pid, verbose=True))
        print(status_info(r.status, r.info))


def call(what, method, request):
    try:
        return method(request, timeout=ARGS.timeout_s)
    except grpc.RpcError as e:
        fatal(f"{what}: {rpc_text(e)}")


def parser():
    p = argparse.ArgumentParser(prog="crictl", description="the test bed's CRI client (crictl's command line)")
    p.add_argument("-r", "--runtime-endpoint")
    p.add_argument("-i", "--image-endpoint")
    p.add_argument("-t", "--timeout", dest="timeout_s", type=float, default=120.0)
    p.add_argument("-D", "--debug", action="store_true")
    sub = p.add_subparsers(dest="verb", required=True)
    sub.add_parser("version").set_defaults(run=verb_version)
    s = sub.add_parser("runp")
    s.add_argument("--runtime", "-r")
    s.add_argument("config")
    s.set_defaults(run=verb_runp)
    s = sub.add_parser("create")
    s.add_argument("--no-pull", action="store_true")
    s.add_argument("pod")
    s.add_argument("container_config")
    s.add_argument("pod_config")
    s.set_defaults(run=verb_create)
    for name, run in (("start", verb_start), ("inspect", verb_inspect), ("inspectp", verb_inspectp)):
        s = sub.add_parser(name)
        s.add_argument("-o", "--output", choices=["json"], default="json")
        s.add_argument("ids", nargs="+")
        s.set_defaults(run=run)
    s = sub.add_parser("stop")
    s.add_argument("--timeout", "-t", dest="timeout", type=int, default=0)
    s.add_argument("ids", nargs="+")
    s.set_defaults(run=verb_stop)
    s = sub.add_parser("stopp")
    s.add_argument("ids", nargs="+")
    s.set_defaults(run=verb_stopp)
    for name, run in (("rm", verb_rm), ("rmp", verb_rmp)):
        s = sub.add_parser(name)
        s.add_argument("-f", "--force", action="store_true")
        s.add_argument("ids", nargs="+")
        s.set_defaults(run=run)
    s = sub.add_parser("ps")
    s.add_argument("-a", "--all", action="store_true")
    s.add_argument("-q", "--quiet", action="store_true")
    s.add_argument("--name")
    s.add_argument("-p", "--pod")
    s.add_argument("-s", "--state")
    s.set_defaults(run=verb_ps)
    s = sub.add_parser("pods")
    s.add_argument("-q", "--quiet", action="store_true")
    s.add_argument("--name")
    s.add_argument("--namespace")
    s.add_argument("-s", "--state")
    s.set_defaults(run=verb_pods)
    return p


CHANNELS = {}


def run(argv):
    global ARGS
    ARGS = parser().parse_args(argv)
    target = endpoint(ARGS)
    if not target.startswith("unix://"):
        fatal(f"endpoint {target!r}: only unix:// sockets")
    if target not in CHANNELS:
        CHANNELS[target] = grpc.insecure_channel(target)
    ARGS.run(api_pb2_grpc.RuntimeServiceStub(CHANNELS[target]), ARGS)


def serve(path):
    """each call sent to PATH run here, its output and exit status sent back"""
    load_grpc()
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path + ".new")
    srv.listen(16)
    os.rename(path + ".new", path)
    while True:
        conn, _ = srv.accept()
        with conn:
            req = json.loads(recv_all(conn))
            out, err, rc = io.StringIO(), io.StringIO(), 0
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                try:
                    os.chdir(req["cwd"])
                    os.environ.pop("CONTAINER_RUNTIME_ENDPOINT", None)
                    if req.get("endpoint"):
                        os.environ["CONTAINER_RUNTIME_ENDPOINT"] = req["endpoint"]
                    run(req["argv"])
                except SystemExit as e:
                    rc = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
                    if isinstance(e.code, str):
                        print(e.code, file=sys.stderr)
                except Exception as e:  # a bug here must not end the server
                    print(f"crictl: {type(e).__name__}: {e}", file=sys.stderr)
                    rc = 1
            conn.sendall(json.dumps({"rc": rc, "out": out.getvalue(), "err": err.getvalue()}).encode())


def main():
    if sys.argv[1:2] == ["--serve"] and len(sys.argv) == 3:
        serve(sys.argv[2])
    load_grpc()
    run(sys.argv[1:])


ARGS = None
if __name__ == "__main__":
    main()
