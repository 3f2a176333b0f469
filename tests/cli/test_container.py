"""The container image of the Dockerfile builds and works.

With a container engine (`docker info` answers) the image is built and run.
Without one, each stage of the Dockerfile runs as written in a clean Debian
12 root made with debootstrap (tests/clean-root.sh), which is what
`FROM debian:bookworm` gives: RUN lines in a shell at the WORKDIR, COPY from
the tree (minus .dockerignore) or from an earlier stage; the test says that
it did so. Either way the final image then runs the documented commands:
`mgate --version`, `mgate check` on a project mounted at /work (the gate is
closed: no backup), `mgate ci --base main` on a git repository, with
alembic and pg_dump installed from the package's recommendations. In the
clean roots, scripts/install-mgate.sh also builds and installs from the
build stage's tree.

usage: python3 test_container.py ROOT BUILD_DIR
"""
import fnmatch
import glob
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
from harness import DROP_EMAIL, check, demo_repo, git, summary  # noqa: E402

SKIP = 77


def instructions(path):
    """(keyword, argument) per Dockerfile instruction, continuation lines joined."""
    text = re.sub(r"\\\n", " ", open(path).read())
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


def ignored(rel, patterns):
    return any(fnmatch.fnmatch(rel, p.rstrip("/")) or fnmatch.fnmatch(rel + "/", p) or
               (p.endswith("/") and (rel + "/").startswith(p)) for p in patterns)


def copy_tree(src, dest, patterns):
    for dirpath, dirs, files in os.walk(src):
        rel_dir = os.path.relpath(dirpath, src)
        rel_dir = "" if rel_dir == "." else rel_dir + "/"
        dirs[:] = [d for d in dirs if not ignored(rel_dir + d, patterns) and not ignored(rel_dir + d + "/", patterns)]
        os.makedirs(os.path.join(dest, rel_dir), exist_ok=True)
        for f in files:
            if not ignored(rel_dir + f, patterns):
                shutil.copy2(os.path.join(dirpath, f), os.path.join(dest, rel_dir, f), follow_symlinks=False)


class Roots:
    """The Dockerfile's stages run in clean Debian 12 roots."""

    def __init__(self, root, build, work):
        self.src, self.work = root, work
        self.tool = os.path.join(root, "tests", "clean-root.sh")
        self.env = dict(os.environ, CLEAN_ROOT_CACHE=os.path.join(build, "clean-root-cache"))
        self.stages, self.final = {}, None

    def sh(self, root, cmd, cwd="/"):
        r = subprocess.run([self.tool, "run", root, "sh", "-c", "cd %s && %s" % (shlex.quote(cwd), cmd)],
                           capture_output=True, text=True, env=self.env, timeout=3000)
        return r

    def build(self, dockerfile):
        patterns = [p.strip() for p in open(os.path.join(self.src, ".dockerignore")).read().splitlines()
                    if p.strip() and not p.startswith("#")] if os.path.exists(
            os.path.join(self.src, ".dockerignore")) else []
        root = cwd = None
        for word, arg in instructions(dockerfile):
            if word == "FROM":
                image, _, name = arg.partition(" AS ")
                if image.strip() != "debian:bookworm":
                    raise SystemExit("test_container.py: only debian:bookworm stages run in a clean root, not %s" % image)
                root = os.path.join(self.work, "stage%d" % len(self.stages))
                r = subprocess.run([self.tool, "make", root], capture_output=True, text=True, env=self.env)
                if r.returncode:
                    return "clean root: " + r.stderr[-2000:]
                self.stages[name.strip() or str(len(self.stages))] = root
                cwd = "/"
            elif word == "WORKDIR":
                cwd = arg
                os.makedirs(root + cwd, exist_ok=True)
            elif word == "COPY":
                args = shlex.split(arg)
                frm = [a for a in args if a.startswith("--from=")]
                args = [a for a in args if not a.startswith("--")]
                dest = os.path.join(root + cwd, args[-1]) if not args[-1].startswith("/") else root + args[-1]
                if frm:
                    for s in args[:-1]:
                        for f in glob.glob(self.stages[frm[0][len("--from="):]] + s):
                            shutil.copy2(f, dest)
                else:
                    copy_tree(self.src, dest, patterns)
            elif word == "RUN":
                r = self.sh(root, arg, cwd)
                if r.returncode:
                    return "RUN %s: exit %d\n%s" % (arg[:80], r.returncode, (r.stdout + r.stderr)[-3000:])
            elif word in ("ENTRYPOINT", "CMD"):
                setattr(self, word.lower(), json.loads(arg))
            else:
                raise SystemExit("test_container.py: the Dockerfile has %s, which this test does not run" % word)
        self.final = root
        return None

    def run(self, args, project=None):
        """`docker run --rm -v PROJECT:/work image ARGS` in the final root."""
        shutil.rmtree(self.final + "/work", ignore_errors=True)
        if project:
            shutil.copytree(project, self.final + "/work", symlinks=True)
        else:
            os.makedirs(self.final + "/work")
        argv = self.entrypoint + (args or getattr(self, "cmd", []))
        return self.sh(self.final, " ".join(shlex.quote(a) for a in argv), "/work")


class Docker:
    def __init__(self, root, build, work):
        self.src, self.tag = root, "mgate-test:%d" % os.getpid()

    def build(self, dockerfile):
        r = subprocess.run(["docker", "build", "-t", self.tag, "-f", dockerfile, self.src], capture_output=True,
                           text=True, timeout=3000)
        return None if r.returncode == 0 else r.stdout[-2000:] + r.stderr[-2000:]

    def run(self, args, project=None):
        vol = ["-v", "%s:/work" % project] if project else []
        return subprocess.run(["docker", "run", "--rm", *vol, self.tag, *args], capture_output=True, text=True,
                              timeout=600)


def main():
    root, build = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    engine = subprocess.run(["docker", "info"], capture_output=True).returncode == 0 if shutil.which("docker") else False
    if not engine and (os.geteuid() != 0 or not shutil.which("debootstrap")):
        print("no container engine, and no clean root (needs root and debootstrap): not run")
        return SKIP
    work = tempfile.mkdtemp(prefix="mgate-container-")
    try:
        if engine:
            print("building the image with docker")
            img = Docker(root, build, work)
        else:
            print("no container engine here: running the Dockerfile's stages in clean Debian 12 roots "
                  "(debootstrap), as written")
            img = Roots(root, build, work)
        problem = img.build(os.path.join(root, "Dockerfile"))
        check("the image builds", problem is None, problem)
        if problem:
            return summary()
        r = img.run(["--version"])
        check("mgate --version", r.returncode == 0 and r.stdout.startswith("mgate "), r.stdout + r.stderr)
        r = img.run([])
        check("the default command is --help", "usage: mgate" in r.stdout, r.stdout[:200] + r.stderr)

        demo = demo_repo(root, os.path.join(work, "demo"))
        r = img.run(["check"], demo)
        check("docker run ... check: the gate is closed (no backup)", r.returncode == 1 and "gate: CLOSED" in r.stdout,
              r.stdout[-600:] + r.stderr[-600:])

        git(demo, "checkout", "-qb", "f")
        open(os.path.join(demo, "migrations", "versions", "f1_drop.py"), "w").write(DROP_EMAIL)
        git(demo, "add", "-A")
        git(demo, "commit", "-qm", "drop")
        r = img.run(["ci", "--base", "main", "--format", "json"], demo)
        rules = [f["rule"] for f in json.loads(r.stdout).get("findings", [])] if r.stdout.startswith("{") else []
        check("docker run ... ci --base main: the drop is an error", r.returncode == 1 and "drop-column" in rules,
              r.stdout[-600:] + r.stderr[-600:])
        if isinstance(img, Roots):
            r = img.sh(img.final, "command -v pg_dump && python3 -m alembic --version")
            check("alembic and postgresql-client come with the package", r.returncode == 0, r.stdout + r.stderr)
            # the build stage's root has the build packages: scripts/install-mgate.sh (the GitHub Action's
            # way when no mgate is on PATH) builds and installs from the same tree
            r = img.sh(img.stages["build"], "PREFIX=/opt/mgate scripts/install-mgate.sh && cd / && "
                       "/opt/mgate/bin/mgate rules --format json | grep -c '\"id\"'", "/src")
            check("scripts/install-mgate.sh installs a working mgate", r.returncode == 0 and
                  int((r.stdout.strip().splitlines() or ["0"])[-1]) >= 30, r.stdout[-800:] + r.stderr[-800:])
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return summary()


if __name__ == "__main__":
    sys.exit(main())
