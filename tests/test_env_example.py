"""`.env.example` lists every setting Adroit reads from the environment."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
READS = re.compile(r"""(?:env_\w+|os\.environ\.get|getenv)\(\s*["']([A-Z][A-Z0-9_]+)["']""")


def test_it_lists_every_environment_variable_the_code_reads():
    sources = [ROOT / "config" / "settings.py", *sorted((ROOT / "apps").rglob("*.py"))]
    read = {name for path in sources for name in READS.findall(path.read_text())}
    listed = set(re.findall(r"^([A-Z][A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), re.M))

    assert {"DATABASE_URL", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "PORT"} <= read | listed
    assert read - listed == set()
