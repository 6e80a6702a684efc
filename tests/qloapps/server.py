"""A real QloApps 1.6.1 on loopback, stood up from its unmodified source for the tests.

:meth:`QloApps.start` gives a running QloApps whose webservice answers at
``{base_url}/api/...`` with :data:`API_KEY` (every resource and method granted), and
:meth:`QloApps.stop` ends everything it started. What it does, as
``../shared/qloapps/README.md`` describes a set-up that works on these machines:

* the source is the tarball at ``$QLOAPPS_TARBALL`` or ``../shared/qloapps/qloapps-1.6.1.tar.gz``
  beside the project root;
* MariaDB runs as a plain process of its own (``mariadb-install-db`` + ``mariadbd`` on a free
  loopback port, its own datadir and socket): the machine's own MariaDB is never touched;
* QloApps is installed once by its CLI installer (demo data: "The Hotel Prime", four room types
  of five rooms, USD), the webservice is enabled and the key created by SQL, mail is off;
* PHP's built-in server serves it (several workers, warnings kept out of the answers, which
  otherwise turn successful bookings into 500s) with a router for the ``/api/...`` style.

Installing takes minutes, so the installed tree and the stopped database's datadir are kept in a
cache folder (``$QLOAPPS_CACHE_DIR``, else ``$XDG_CACHE_HOME/agente-qloapps`` or
``~/.cache/agente-qloapps``) under the tarball's hash; each start copies that pristine install
into a folder of its own, so every run begins from the same demo hotel and two runs at once do
not share a database. :class:`Unavailable` says why QloApps cannot be stood up here (no
source, PHP or MariaDB missing): the tests skip with that reason.

Run ``python -m tests.qloapps.server`` to stand one up by hand; it prints its address and key
and serves until interrupted.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import hashlib
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

PROJECT_ROOT = Path(__file__).resolve().parents[2]
TARBALL_NAME = "qloapps-1.6.1.tar.gz"
DEFAULT_TARBALL = PROJECT_ROOT.parent / "shared" / "qloapps" / TARBALL_NAME
ROUTER = Path(__file__).with_name("router.php")
# Exactly 32 characters, as QloApps requires of a webservice key.
API_KEY = "AGENTETESTS0QLOAPPS0REAL0PMS0KEY"
HOTEL_ID = 1
PREFIX = "qlo_"
DB_NAME = DB_USER = DB_PASSWORD = "qloapps"
ADMIN_EMAIL = "admin@example.com"
# PHP warnings in the answer turn a successful booking into an HTTP 500 on PHP 8.
PHP_QUIET = "E_ALL & ~E_WARNING & ~E_NOTICE & ~E_DEPRECATED & ~E_STRICT"
PHP_EXTENSIONS = ("bcmath", "curl", "gd", "intl", "mbstring", "pdo_mysql", "SimpleXML", "soap", "zip")
DEBIAN_PACKAGES = " ".join(
    [f"php8.2-{name}" for name in ("cli", "mysql", "gd", "curl", "intl", "zip", "xml", "mbstring", "soap", "bcmath")]
    + ["mariadb-server"]
)
PHP_WORKERS = 4
# Bump when the way the cached install is made changes, so older caches are not reused.
RECIPE = "1"
INSTALL_TIMEOUT = 900.0
READY_TIMEOUT = 120.0


class Unavailable(Exception):
    """QloApps cannot be stood up on this machine; the message says why, in one line."""


@dataclass(frozen=True)
class Tools:
    """The programs a QloApps needs here (Debian's PHP 8.2 and MariaDB)."""

    php: str
    mariadbd: str
    install_db: str
    client: str

    @classmethod
    def find(cls) -> Tools:
        php = shutil.which("php8.2")
        if php is None:
            raise Unavailable(f"php8.2 not installed (apt-get install {DEBIAN_PACKAGES}; see .ci/run)")
        found = {
            name: shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/bin")
            for name in ("mariadbd", "mariadb-install-db", "mariadb")
        }
        missing = [name for name, where in found.items() if where is None]
        if missing:
            raise Unavailable(f"{', '.join(missing)} not installed (apt-get install mariadb-server; see .ci/run)")
        modules = subprocess.run([php, "-m"], capture_output=True, text=True, check=True).stdout.split()
        absent = [name for name in PHP_EXTENSIONS if name not in modules]
        if absent:
            raise Unavailable(f"PHP extensions missing: {', '.join(absent)} (apt-get install {DEBIAN_PACKAGES})")
        return cls(php, str(found["mariadbd"]), str(found["mariadb-install-db"]), str(found["mariadb"]))


def tarball() -> Path:
    """The QloApps source: ``$QLOAPPS_TARBALL`` or the shared copy beside the project."""
    path = Path(os.environ.get("QLOAPPS_TARBALL") or DEFAULT_TARBALL)
    if not path.is_file():
        raise Unavailable(f"QloApps source not found at {path} (set QLOAPPS_TARBALL)")
    return path


def unavailable() -> str | None:
    """Why QloApps cannot be stood up here (no source, a tool missing), or None when it can."""
    try:
        tarball()
        Tools.find()
    except Unavailable as why:
        return str(why)
    return None


def cache_root() -> Path:
    if configured := os.environ.get("QLOAPPS_CACHE_DIR"):
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "agente-qloapps"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _stop(proc: subprocess.Popen[bytes], timeout: float) -> None:
    """End a process this module started (and the workers it forked), gently first."""
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


class MariaDb:
    """A private ``mariadbd`` on ``datadir``, listening on 127.0.0.1:``port`` and a socket in ``rundir``."""

    def __init__(self, tools: Tools, datadir: Path, rundir: Path, port: int) -> None:
        self.tools = tools
        self.datadir = datadir
        self.rundir = rundir
        self.port = port
        self.socket = rundir / "mariadb.sock"
        self.log = rundir / "mariadb.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def initialise(self) -> None:
        command = [
            self.tools.install_db,
            "--no-defaults",
            f"--datadir={self.datadir}",
            "--auth-root-authentication-method=normal",
            "--skip-test-db",
        ]
        if os.geteuid() == 0:
            command.append("--user=root")
        _run(command, timeout=300, what="mariadb-install-db")

    def start(self) -> None:
        command = [
            self.tools.mariadbd,
            "--no-defaults",
            f"--datadir={self.datadir}",
            f"--socket={self.socket}",
            f"--port={self.port}",
            "--bind-address=127.0.0.1",
            f"--pid-file={self.rundir / 'mariadb.pid'}",
            f"--log-error={self.log}",
            f"--tmpdir={self.rundir}",
            "--skip-log-bin",
            # A test database: small, and durable only as far as a clean shutdown.
            "--innodb-buffer-pool-size=128M",
            "--innodb-log-file-size=16M",
            "--innodb-flush-log-at-trx-commit=0",
            "--skip-innodb-doublewrite",
        ]
        if os.geteuid() == 0:
            command.append("--user=root")
        self.proc = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"mariadbd exited with {self.proc.returncode}: {_tail(self.log)}")
            if self.socket.exists() and _listening(self.port):
                return
            time.sleep(0.1)
        raise RuntimeError(f"mariadbd did not start in 60 s: {_tail(self.log)}")

    def sql(self, statements: str, database: str | None = None) -> str:
        """Run SQL as root through the socket; the rows printed tab-separated, without headers."""
        command = [self.tools.client, "--no-defaults", f"--socket={self.socket}", "-uroot", "-N", "-B"]
        if database:
            command.append(database)
        result = subprocess.run(command, input=statements, capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            raise RuntimeError(f"SQL failed: {result.stderr.strip()}")
        return result.stdout

    def stop(self) -> None:
        # SIGTERM is a clean shutdown: the datadir can then be copied and started again.
        if self.proc is not None:
            _stop(self.proc, timeout=120)
            self.proc = None


class PhpServer:
    """PHP's built-in server on ``site`` at 127.0.0.1:``port``, with the ``/api`` router."""

    def __init__(self, tools: Tools, site: Path, port: int, log: Path) -> None:
        self.tools = tools
        self.site = site
        self.port = port
        self.log = log
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = [
            self.tools.php,
            "-d",
            f"error_reporting={PHP_QUIET}",
            "-d",
            "display_errors=0",
            "-d",
            "log_errors=0",
            "-d",
            "memory_limit=512M",
            "-S",
            f"127.0.0.1:{self.port}",
            "-t",
            str(self.site),
            str(ROUTER),
        ]
        env = {**os.environ, "PHP_CLI_SERVER_WORKERS": str(PHP_WORKERS)}
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                command, cwd=self.site, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )

    def stop(self) -> None:
        if self.proc is not None:
            _stop(self.proc, timeout=10)
            self.proc = None


def _run(command: list[str], *, timeout: float, what: str, cwd: Path | None = None) -> str:
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:
        raise RuntimeError(f"{what} failed ({result.returncode}): {(result.stderr or result.stdout)[-2000:]}")
    return result.stdout


def _tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _digest(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as data:
        for chunk in iter(lambda: data.read(1 << 20), b""):
            sha.update(chunk)
    return sha.hexdigest()[:16]


def webservice_resources(site: Path) -> list[str]:
    """Every webservice resource of this QloApps: the core ones of ``WebserviceRequest::getResources()``
    and those the hotel module adds (``hotels``, ``hotel_ari``, ``bookings``...)."""
    sources = (
        site / "classes" / "webservice" / "WebserviceRequest.php",
        site / "modules" / "hotelreservationsystem" / "hotelreservationsystem.php",
    )
    names: list[str] = []
    for source in sources:
        names += re.findall(r"'(\w+)'\s*=>\s*array\(\s*'description'", source.read_text(errors="replace"))
    return sorted(set(names))


def _key_sql(resources: list[str]) -> str:
    """The SQL that enables the webservice and grants :data:`API_KEY` every resource and method."""
    methods = ("GET", "POST", "PUT", "DELETE", "HEAD")
    grants = ",\n".join(f"('{resource}', '{method}', @account)" for resource in resources for method in methods)
    return f"""
DELETE FROM {PREFIX}configuration WHERE name IN ('PS_WEBSERVICE', 'PS_MAIL_METHOD');
INSERT INTO {PREFIX}configuration (name, value, date_add, date_upd)
  VALUES ('PS_WEBSERVICE', '1', NOW(), NOW()), ('PS_MAIL_METHOD', '3', NOW(), NOW());
INSERT INTO {PREFIX}webservice_account (`key`, description, class_name, is_module, active)
  VALUES ('{API_KEY}', 'agente tests', 'WebserviceRequest', 0, 1);
SET @account = LAST_INSERT_ID();
INSERT INTO {PREFIX}webservice_account_shop (id_webservice_account, id_shop) VALUES (@account, 1);
INSERT INTO {PREFIX}webservice_permission (resource, method, id_webservice_account) VALUES
{grants};
"""


def _domain_sql(domain: str) -> str:
    return f"""
UPDATE {PREFIX}shop_url SET domain = '{domain}', domain_ssl = '{domain}';
UPDATE {PREFIX}configuration SET value = '{domain}' WHERE name IN ('PS_SHOP_DOMAIN', 'PS_SHOP_DOMAIN_SSL');
"""


def _point_settings_at(site: Path, db_port: int) -> None:
    settings = site / "config" / "settings.inc.php"
    text = settings.read_text()
    text, count = re.subn(r"define\('_DB_SERVER_', '[^']*'\);", f"define('_DB_SERVER_', '127.0.0.1:{db_port}');", text)
    if count != 1:
        raise RuntimeError(f"_DB_SERVER_ not found in {settings}")
    settings.write_text(text)


def install(source: Path, target: Path, tools: Tools) -> None:
    """Unpack ``source`` into ``target/site`` and install it with its CLI installer on a new
    database in ``target/datadir``; the database is stopped cleanly at the end."""
    site, datadir, rundir = target / "site", target / "datadir", target / "run"
    for folder in (site, datadir, rundir):
        folder.mkdir(parents=True)
    _run(["tar", "-xzf", str(source), "-C", str(site)], timeout=300, what="unpacking QloApps")
    database = MariaDb(tools, datadir, rundir, free_port())
    database.initialise()
    database.start()
    try:
        database.sql(
            f"CREATE DATABASE {DB_NAME} CHARACTER SET utf8mb4;"
            f"CREATE USER '{DB_USER}'@'%' IDENTIFIED BY '{DB_PASSWORD}';"
            f"GRANT ALL ON {DB_NAME}.* TO '{DB_USER}'@'%';"
        )
        output = _run(
            [
                tools.php,
                "-d",
                "memory_limit=1024M",
                "-d",
                f"error_reporting={PHP_QUIET}",
                "install/index_cli.php",
                # The shop domain must carry the port, or every API call answers 302; each
                # start sets the port it serves on.
                f"--domain=127.0.0.1:{free_port()}",
                f"--db_server=127.0.0.1:{database.port}",
                f"--db_user={DB_USER}",
                f"--db_password={DB_PASSWORD}",
                f"--db_name={DB_NAME}",
                f"--prefix={PREFIX}",
                "--language=en",
                "--country=us",
                "--timezone=Europe/Madrid",
                "--name=The Hotel Prime",
                f"--email={ADMIN_EMAIL}",
                "--password=agente-tests-admin",
                "--newsletter=0",
                "--send_email=0",
            ],
            cwd=site,
            timeout=INSTALL_TIMEOUT,
            what="the QloApps installer",
        )
        if "successfull" not in output:
            raise RuntimeError(f"the QloApps installer did not finish: {output[-2000:]}")
        database.sql(_key_sql(webservice_resources(site)), DB_NAME)
    finally:
        database.stop()
    # The installer is not needed once installed (QloApps asks for it to be removed).
    shutil.rmtree(site / "install")
    shutil.rmtree(rundir)


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def cached_install(source: Path, tools: Tools) -> Path:
    """The folder of a pristine install of ``source`` (``site/`` and a stopped ``datadir/``),
    installed now when the cache has none for this tarball; one process installs at a time."""
    root = cache_root()
    key = f"{_digest(source)}-r{RECIPE}"
    ready = root / key
    with _locked(root / f"{key}.lock"):
        if not (ready / "ready").exists():
            building = Path(tempfile.mkdtemp(prefix=f"{key}.building-", dir=root))
            try:
                install(source, building, tools)
                (building / "ready").write_text(f"{source}\n")
                if ready.exists():
                    shutil.rmtree(ready)
                building.rename(ready)
            finally:
                shutil.rmtree(building, ignore_errors=True)
    return ready


class QloApps:
    """A running QloApps of its own: :attr:`base_url`, :data:`API_KEY`, hotel :data:`HOTEL_ID`."""

    api_key = API_KEY
    hotel_id = HOTEL_ID

    def __init__(self, workdir: Path, database: MariaDb, server: PhpServer) -> None:
        self.workdir = workdir
        self.database = database
        self.server = server
        self.base_url = f"http://127.0.0.1:{server.port}"
        self.setup_seconds = 0.0
        self.installed_now = False

    @classmethod
    def start(cls) -> QloApps:
        """Stand QloApps up from the cached install (installing it first if there is none);
        raises :class:`Unavailable` when this machine lacks the source or the tools."""
        began = time.monotonic()
        source, tools = tarball(), Tools.find()
        was_cached = (cache_root() / f"{_digest(source)}-r{RECIPE}" / "ready").exists()
        pristine = cached_install(source, tools)
        workdir = Path(tempfile.mkdtemp(prefix="agente-qloapps-"))
        site, datadir, rundir = workdir / "site", workdir / "datadir", workdir / "run"
        rundir.mkdir()
        for name, copy in (("site", site), ("datadir", datadir)):
            _run(["cp", "-a", "--reflink=auto", str(pristine / name), str(copy)], timeout=300, what="copying QloApps")
        database = MariaDb(tools, datadir, rundir, free_port())
        server = PhpServer(tools, site, free_port(), rundir / "php.log")
        instance = cls(workdir, database, server)
        atexit.register(instance.stop)
        try:
            _point_settings_at(site, database.port)
            database.start()
            database.sql(_domain_sql(f"127.0.0.1:{server.port}"), DB_NAME)
            server.start()
            instance.wait_ready()
        except BaseException:
            instance.stop()
            raise
        instance.setup_seconds = time.monotonic() - began
        instance.installed_now = not was_cached
        return instance

    def pms_settings(self) -> dict[str, object]:
        """``Settings`` fields (``PMS_TYPE=qloapps`` ...) for a service whose PMS is this QloApps.

        Its timeouts allow for PHP's built-in server on a busy two-core machine."""
        return {
            "pms_type": "qloapps",
            "pms_base_url": self.base_url,
            "pms_api_key": self.api_key,
            "pms_hotel_id": self.hotel_id,
            "pms_timeout": 30.0,
            "pms_call_budget": 90.0,
        }

    def wait_ready(self, timeout: float = READY_TIMEOUT) -> None:
        """Until ``GET /api/hotels?output_format=JSON`` with the key answers 200."""
        deadline = time.monotonic() + timeout
        last = "no answer"
        while time.monotonic() < deadline:
            if self.server.proc is not None and self.server.proc.poll() is not None:
                raise RuntimeError(f"php exited with {self.server.proc.returncode}: {_tail(self.server.log)}")
            try:
                answer = httpx.get(
                    f"{self.base_url}/api/hotels", params={"output_format": "JSON"}, auth=(API_KEY, ""), timeout=30
                )
                if answer.status_code == 200:
                    return
                last = f"HTTP {answer.status_code}: {answer.text[:200]}"
            except httpx.HTTPError as error:
                last = repr(error)
            time.sleep(0.5)
        raise RuntimeError(f"QloApps did not answer in {timeout:.0f} s: {last}")

    def sql(self, statements: str) -> str:
        """SQL on QloApps' own database (tab-separated rows), for what the webservice does not show."""
        return self.database.sql(statements, DB_NAME)

    def stop(self) -> None:
        """Stop the server and the database and remove this instance's folder; safe to repeat."""
        self.server.stop()
        self.database.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)


def _exit(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


def main() -> None:
    # A background job ignores SIGINT; SIGTERM must stop everything too.
    signal.signal(signal.SIGTERM, _exit)
    signal.signal(signal.SIGINT, _exit)
    instance = QloApps.start()
    try:
        print(
            f"QloApps at {instance.base_url}/api/ key {API_KEY} (ready in {instance.setup_seconds:.0f} s)", flush=True
        )
        signal.pause()
    finally:
        instance.stop()


if __name__ == "__main__":
    main()
