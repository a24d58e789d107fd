import contextlib
import functools
import hashlib
import os
import shutil
import tempfile
from pathlib import Path

import django
import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.core.cache import cache
from django.db import DatabaseError, connection, transaction
from django.db.backends.postgresql.operations import DatabaseOperations as PostgresOperations
from django.template import Template
from django.test import override_settings
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from pytest_django.fixtures import _get_databases_for_setup
from whitenoise.middleware import WhiteNoiseMiddleware

from apps.accounts.management.commands.load_example import load_example
from apps.workspaces.models import Membership

from .factories import add_member, make_team, make_user, make_workspace

# How fast hypothesis makes or runs an example depends on the machine's load (CI runs two suites
# on two cores), not on the properties tested: no deadline, no health check on speed.
hypothesis_settings.register_profile(
    "adroit", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
hypothesis_settings.load_profile("adroit")

# Playwright's sync API runs an event loop in the test thread; Django's ORM is still used
# synchronously there, which is safe in tests.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

FAST_HASHER = "django.contrib.auth.hashers.MD5PasswordHasher"
IMMEDIATE_TASKS = "django_tasks.backends.immediate.ImmediateBackend"
# Django's own rendering, taken before pytest-django's test environment wraps it (conftest files
# are imported first): the wrapper signals every template rendered and the test client copies
# each context, which doubles the time of a page of a few thousand small templates.
PLAIN_RENDER = Template._render


@pytest.fixture(autouse=True)
def fast_defaults(request, settings, monkeypatch):
    """A cheap password hasher, tasks run as they are enqueued and templates rendered without
    recording, unless a test's marker asks for the real thing.

    PBKDF2 spends about 0.2 s per password and most tests make several people. The database
    queue needs a worker process to run anything; immediate tasks run in the test itself.
    Setting TASKS through `settings` sends setting_changed, on which django_tasks drops its
    cached backends, so the next enqueue uses the backend named here. No test reads
    `response.context` or `response.templates`; one that does asks with `template_context`.
    """
    if request.node.get_closest_marker("real_hasher") is None:
        settings.PASSWORD_HASHERS = [FAST_HASHER]
    if request.node.get_closest_marker("db_tasks") is None:
        settings.TASKS = {"default": {"BACKEND": IMMEDIATE_TASKS, "QUEUES": settings.TASK_QUEUES}}
    if request.node.get_closest_marker("template_context") is None:
        monkeypatch.setattr(Template, "_render", PLAIN_RENDER)


@contextlib.contextmanager
def built_once(django_db_blocker, media: Path):
    """For data a module builds once (a module-scoped fixture), in a transaction rolled back when
    the module ends: what `fast_defaults` and `media_root` give each test, which only start after
    such a fixture. Each test's own transaction nests inside, as in Django's setUpTestData."""
    tasks = {"default": {"BACKEND": IMMEDIATE_TASKS, "QUEUES": django_settings.TASK_QUEUES}}
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=[FAST_HASHER], TASKS=tasks, MEDIA_ROOT=media),
        pytest.MonkeyPatch.context() as patch,
        transaction.atomic(),
    ):
        patch.setattr(Template, "_render", PLAIN_RENDER)
        yield
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path_factory):
    """Files a test stores (export results, pending uploads) go to a folder of its own."""
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache: the database is rolled back after a test, and an
    entry it left (a rendered page, a session) must not outlive the rows it was made from."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def workspace(db):
    return make_workspace("team")


@pytest.fixture
def author(workspace):
    user = make_user("ada")
    add_member(workspace, user, "author")
    return user


@pytest.fixture
def author_client(client, author):
    client.force_login(author)
    return client


@pytest.fixture
def people(workspace) -> dict:
    return make_people(workspace)


def make_people(workspace) -> dict:
    """The review team: a person per role in `workspace`, and olga, an admin elsewhere."""
    return {
        "workspace": workspace,
        **make_team(
            workspace, ada="author", rita="reviewer", rob="reviewer", vic="viewer", adam="admin"
        ),
        **make_team(make_workspace("other"), olga="admin"),
    }


@pytest.fixture
def team(workspace) -> dict:
    """A workspace with one person per role, and an outsider who is admin elsewhere."""
    team = {
        "workspace": workspace,
        **make_team(workspace, vic="viewer", ada="author", rita="reviewer", adam="admin"),
        **make_team(make_workspace("other"), olga="admin"),
    }
    # The member pages change and remove memberships: these two are the ones they act on.
    for name in ["vic", "adam"]:
        team[f"{name}_membership"] = Membership.objects.get(workspace=workspace, user=team[name])
    return team


@pytest.fixture
def example(db):
    return load_example(password="demo")


@pytest.fixture(scope="module")
def example_once(django_db_setup, django_db_blocker, tmp_path_factory):
    """The example loaded once for a module (0.3 s each time), for a module whose tests all
    leave it as they found it but for their own rolled back changes. Such a module opts in by
    defining its `example` as this; a test in it that made the workspace "platform" or the
    people demo, priya and tom itself would clash with it."""
    with built_once(django_db_blocker, tmp_path_factory.mktemp("example")):
        yield load_example(password="demo")


TRUNCATE_ALL = PostgresOperations.sql_flush


def _sql_flush_by_delete(ops, style, tables, *, reset_sequences=False, allow_cascade=False):
    """PostgreSQL's flush as DELETE of the tables that hold rows, TRUNCATE kept where it must be.

    A transactional test (every browser test) ends with a flush. TRUNCATE of all 60-odd tables
    makes new files for each table and index, 1 to 2 s a test on a busy machine; deleting the rows
    of the twenty or so tables a test filled takes a tenth of that. The tables end up as empty.
    Our foreign keys are deferrable, so the order of the deletes does not matter. A table with a
    trigger of ours (a frozen version refuses DELETE) is truncated as before, which skips it.
    """
    if reset_sequences or not tables:
        return TRUNCATE_ALL(ops, style, tables, reset_sequences=reset_sequences)
    # Table names come from Django's introspection, quoted: no user input reaches this SQL.
    quote = ops.quote_name
    with ops.connection.cursor() as cursor:
        probes = [f"SELECT %s WHERE EXISTS (SELECT FROM {quote(t)})" for t in tables]  # noqa: S608
        cursor.execute(" UNION ALL ".join(probes), tables)
        holding = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            "SELECT DISTINCT tgrelid::regclass::text FROM pg_trigger WHERE NOT tgisinternal"
        )
        triggered = {row[0] for row in cursor.fetchall()}
    truncated = [t for t in holding if t in triggered]
    sql = [f"TRUNCATE {', '.join(map(quote, truncated))} CASCADE"] if truncated else []
    sql.append("SET CONSTRAINTS ALL DEFERRED")
    return sql + [f"DELETE FROM {quote(t)}" for t in holding if t not in triggered]  # noqa: S608


@pytest.fixture(scope="session", autouse=True)
def flush_by_delete():
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(PostgresOperations, "sql_flush", _sql_flush_by_delete)
        yield


SCAN_STATIC = WhiteNoiseMiddleware.add_files_from_finders
_static_scans: dict[tuple, dict] = {}


def _static_settings() -> tuple:
    """Every setting a scan of the static files depends on, by value."""
    names = sorted(n for n in dir(django_settings) if n.startswith(("STATIC", "WHITENOISE")))
    values = ((n, repr(getattr(django_settings, n))) for n in names)
    return (*values, tuple(django_settings.INSTALLED_APPS))


def _scan_static_once(self: WhiteNoiseMiddleware) -> None:
    """WhiteNoise's scan of the static files, done once per run and then reused.

    Django's test client loads the middleware afresh for every Client, and with
    WHITENOISE_USE_FINDERS WhiteNoise then lists, stats and reads the headers of all 190-odd
    static files: half the time of a test that makes a client per request (test_permissions
    makes 1,300), and 10 ms or so for every other test. The files do not change during a run;
    a test that changes a static or WhiteNoise setting gets a scan of its own.
    """
    key = (self.static_prefix, _static_settings())
    found = _static_scans.get(key)
    if found is None:
        kept, self.files = self.files, {}
        SCAN_STATIC(self)
        found = _static_scans[key] = self.files
        self.files = kept
    self.files.update(found)


@pytest.fixture(scope="session", autouse=True)
def static_scanned_once():
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(WhiteNoiseMiddleware, "add_files_from_finders", _scan_static_once)
        yield


@functools.cache
def migrations_key(vendor: str) -> str:
    """What the migrated schema is made from: Django's version, the database's kind and every
    migration file of every installed app, by content. A changed or added migration is a new
    key, so a new copy."""
    digest = hashlib.sha256(f"{django.VERSION} {vendor}".encode())
    for config in apps.get_app_configs():
        folder = Path(config.path) / "migrations"
        for path in sorted(folder.glob("*.py")) if folder.is_dir() else []:
            digest.update(f"{config.label}/{path.name}".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def migrated_sqlite_file() -> Path:
    """Where a run keeps an empty SQLite database with every migration applied, for the next."""
    return Path(tempfile.gettempdir()) / f"adroit-migrated-{migrations_key('sqlite')}.sqlite3"


def migrated_postgres_name() -> str:
    return f"adroit_migrated_{migrations_key('postgresql')}"


def _start_from_migrated_copy() -> bool:
    """The test database as a copy of an earlier run's migrated one, if there is one.

    Migrating an empty database costs about 6 s of CPU (85 migrations, Django renders the model
    state of each), in every pytest process: CI runs four. The copy still goes through migrate,
    which finds nothing to apply (about 1 s), so a copy that misses anything is completed.
    """
    test_name = connection.creation._get_test_db_name()
    if connection.vendor == "sqlite":
        if connection.creation.is_in_memory_db(test_name) or not migrated_sqlite_file().exists():
            return False
        shutil.copyfile(migrated_sqlite_file(), test_name)
        return True
    if connection.vendor != "postgresql":
        return False
    quote = connection.ops.quote_name
    with connection._nodb_cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [migrated_postgres_name()])
        if not cursor.fetchone():
            return False
        cursor.execute(f"DROP DATABASE IF EXISTS {quote(test_name)} WITH (FORCE)")
        try:
            cursor.execute(
                f"CREATE DATABASE {quote(test_name)} TEMPLATE {quote(migrated_postgres_name())}"
            )
        except DatabaseError:  # another run is copying it this moment: migrate as before
            return False
    return True


def _keep_migrated_copy() -> None:
    """Keep the just migrated, still empty, test database for the next run (best effort)."""
    connection.close()
    if connection.vendor == "sqlite":
        name = connection.settings_dict["NAME"]
        if connection.creation.is_in_memory_db(name):
            return
        keep = migrated_sqlite_file()
        partial = keep.with_suffix(f".{os.getpid()}.part")
        shutil.copyfile(name, partial)
        os.replace(partial, keep)  # whole or not at all, for a run starting meanwhile
    elif connection.vendor == "postgresql":
        quote = connection.ops.quote_name
        with connection._nodb_cursor() as cursor:
            try:
                cursor.execute(
                    f"CREATE DATABASE {quote(migrated_postgres_name())} "
                    f"TEMPLATE {quote(connection.settings_dict['NAME'])}"
                )
            except DatabaseError:  # made by another run meanwhile, or the database is busy
                pass


@pytest.fixture(scope="session")
def django_db_setup(
    request, django_test_environment, django_db_blocker, django_db_modify_db_settings
):
    """pytest-django's test database setup, from a migrated copy when an earlier run left one."""
    from django.test.utils import setup_databases, teardown_databases

    aliases, serialized_aliases = _get_databases_for_setup(request.session.items)
    verbosity = request.config.option.verbose
    with django_db_blocker.unblock():
        copied = aliases == {"default"} and _start_from_migrated_copy()
        config = setup_databases(
            verbosity=verbosity,
            interactive=False,
            aliases=aliases,
            serialized_aliases=serialized_aliases,
            keepdb=copied,
        )
        if aliases == {"default"} and not copied:
            _keep_migrated_copy()
    yield
    with django_db_blocker.unblock():
        _end_other_sessions()
        teardown_databases(config, verbosity=verbosity)


def _end_other_sessions() -> None:
    """PostgreSQL refuses to drop a database others are connected to. The live server's request
    threads keep their connections (CONN_MAX_AGE) and a request still being served when the last
    browser test ends may hold one: the run then failed at its very end, every test passed."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
