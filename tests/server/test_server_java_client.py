"""A Java client on Debian's Apache Jena writes with HTTP Basic credentials, as Jena users do.

`tests/server/java/JenaClient.java` is compiled with `javac` against the jars of Debian's
`libapache-jena-java` and run once against a real `comity serve`; it prints one
`name=value` line per outcome. Skipped when `javac` or the jars are missing.
"""

import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

pytest.register_assert_rewrite("tests.server_fixtures")
from tests.server_fixtures import EX, ComityServer  # noqa: E402 - after the rewrite registration

SOURCE = Path(__file__).parent / "java" / "JenaClient.java"
# Where Debian's Java library packages put their jars.
DEBIAN_JARS = Path("/usr/share/java")
# What the client needs at run time: Jena itself and the libraries its start-up and HTTP code
# load. Named one by one, not the whole directory: it also holds SLF4J bindings and bridges
# that refuse to run side by side.
JARS = (
    "jena-arq",
    "jena-core",
    "jena-base",
    "jena-iri",
    "commons-lang3",
    "commons-compress",
    "guava",
    "gson",
    "thrift",
    "slf4j-api",
    "slf4j-simple",  # Jena's warnings go to stderr, which a failing test shows.
)
CLASSPATH = [DEBIAN_JARS / f"{name}.jar" for name in JARS]
# Both JVMs live a few seconds: the first, quick compiler is all they need.
QUICK_START = "-XX:TieredStopAtLevel=1"
JAVAC = shutil.which("javac")
JAVA = shutil.which("java")
MISSING = [str(jar) for jar in CLASSPATH if not jar.is_file()]

pytestmark = pytest.mark.skipif(
    JAVAC is None or JAVA is None or bool(MISSING),
    reason="needs javac and Debian's Apache Jena: "
    "apt-get install default-jdk-headless libapache-jena-java "
    f"(missing: {'javac/java' if JAVAC is None or JAVA is None else ', '.join(MISSING)})",
)

# Jena 4.5 fails on a 401 whose challenges include one it cannot parse (Comity's Bearer one)
# with a NullPointerException of its own instead of an HttpException; Jena 4.6 returns the
# 401 (apache/jena GH-1292). The anonymous write is refused either way.
JENA_45_NULL_POINTER = (
    "error java.lang.NullPointerException at org.apache.jena.http.auth.AuthLib.authenticateHeader"
)


def copy_xerces_messages(jena_core: Path, classes: Path) -> None:
    """Debian's jena-core 4.5 moved Jena's copy of Xerces to the package `xerces` but left its
    message bundles under `org/apache/jena/ext/xerces`, so the XSD datatypes fail to start
    ("internal error") unless the bundles are also found where the classes look for them."""
    prefix = "org/apache/jena/ext/xerces/"
    with zipfile.ZipFile(jena_core) as jar:
        names = jar.namelist()
        if "xerces/impl/dv/SchemaDVFactory.class" not in names:
            return
        for name in names:
            if name.startswith(prefix) and name.endswith(".properties"):
                target = classes / "xerces" / name.removeprefix(prefix)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(jar.read(name))


def compile_client(classes: Path) -> str:
    """Compile the client into `classes`; the class path to run it with."""
    classes.mkdir()
    classpath = ":".join(str(jar) for jar in CLASSPATH)
    compiled = subprocess.run(
        [
            JAVAC,
            f"-J{QUICK_START}",
            "-encoding",
            "UTF-8",
            "-d",
            str(classes),
            "-cp",
            classpath,
            str(SOURCE),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert compiled.returncode == 0, compiled.stderr
    copy_xerces_messages(DEBIAN_JARS / "jena-core.jar", classes)
    return f"{classes}:{classpath}"


def run_client(classpath: str, server: ComityServer, graph: str) -> dict[str, str]:
    """Run the client once against the server; its outcomes by name."""
    ran = subprocess.run(
        [JAVA, QUICK_START, "-cp", classpath, "JenaClient", server.sparql, server.token, graph],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ran.returncode == 0, ran.stdout + ran.stderr
    outcomes = dict(line.split("=", 1) for line in ran.stdout.splitlines() if "=" in line)
    assert outcomes.keys() >= {
        "jena_version",
        "write_with_token",
        "read_back",
        "write_with_wrong_password",
        "write_without_credentials",
    }, ran.stdout + ran.stderr
    return outcomes


def test_jena_writes_with_the_token_as_basic_password(tmp_path, comity_server):
    graph = EX + "basic-jena"
    outcomes = run_client(compile_client(tmp_path / "classes"), comity_server, graph)

    assert outcomes["write_with_token"] == "ok"
    assert outcomes["read_back"] == "by jena"
    assert outcomes["write_with_wrong_password"] == "403"
    if outcomes["jena_version"].startswith("4.5."):
        assert outcomes["write_without_credentials"] == JENA_45_NULL_POINTER
    else:
        assert outcomes["write_without_credentials"] == "401"
    # The refused writes left nothing: the graph holds the one accepted triple.
    rows = comity_server.select(f"SELECT ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    assert [row["o"]["value"] for row in rows] == ["by jena"]
