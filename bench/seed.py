"""Realistic decisions in bulk: about two printed pages each, generated from a fixed seed.

`generate_record(i)` gives the plain record of decision `i` (the same `i` always gives the same
record; its prose draws on the ADR corpus's word frequencies, bench/vocabulary.tsv); `seed(total)`
inserts decisions until the bench workspaces hold `total` of them, with
bulk inserts (a few dozen queries per 500 decisions), so 10,000 take a minute or two, not an hour.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from django.db import connection, transaction

from apps.decisions.building import ensure_user
from apps.decisions.models import Decision, Relation, RelationKind, Tag
from apps.formats import record as rec
from apps.imports.saving import insert_records
from apps.workspaces.models import Membership, Workspace
from bench import vocabulary

USERNAME = "bench"
PASSWORD = "bench-password-not-secret"  # noqa: S105 - a throwaway user in the bench database
WORKSPACES = (("platform", "Platform"), ("payments", "Payments"))
BATCH = 500

TOPICS = [
    "API gateway",
    "message broker",
    "service mesh",
    "container registry",
    "feature flag service",
    "search engine",
    "object storage",
    "secrets manager",
    "identity provider",
    "observability stack",
    "CI runner",
    "cache layer",
    "workflow engine",
    "data warehouse",
    "schema registry",
    "CDN",
    "job scheduler",
    "database for orders",
    "mobile push channel",
    "log pipeline",
]
ASPECTS = [
    "requirements",
    "hosting",
    "authentication",
    "rollout strategy",
    "backup policy",
    "multi-region setup",
    "cost model",
    "migration path",
    "versioning",
    "access control",
]
PRODUCTS = [
    "PostgreSQL",
    "Kafka",
    "RabbitMQ",
    "Redis",
    "Elasticsearch",
    "OpenSearch",
    "Envoy",
    "Istio",
    "Linkerd",
    "Vault",
    "Keycloak",
    "Cognito",
    "Temporal",
    "Airflow",
    "S3",
    "MinIO",
    "Prometheus",
    "Grafana",
    "Loki",
    "Jaeger",
    "NATS",
    "Pulsar",
    "DynamoDB",
    "Cassandra",
    "ClickHouse",
    "Snowflake",
    "Nginx",
    "Traefik",
    "Kong",
    "Lambda",
]
QUALITIES = [
    "latency",
    "throughput",
    "operability",
    "cost",
    "security",
    "vendor lock-in",
    "team familiarity",
    "compliance",
    "availability",
    "observability",
    "time to market",
    "data residency",
]
TEAMS = ["checkout", "search", "identity", "billing", "catalogue", "mobile", "data", "platform"]
PEOPLE = [
    "Ada Lovelace",
    "Grace Hopper",
    "Alan Turing",
    "Edsger Dijkstra",
    "Barbara Liskov",
    "Margaret Hamilton",
    "Donald Knuth",
    "Frances Allen",
    "Ken Thompson",
    "Radia Perlman",
    "Leslie Lamport",
    "Tony Hoare",
]
TAGS = [
    "security",
    "infrastructure",
    "data",
    "api",
    "cost",
    "compliance",
    "messaging",
    "observability",
    "frontend",
    "mobile",
    "storage",
    "networking",
]
STATUSES = (
    ["draft"] * 6 + ["in_review"] * 3 + ["accepted"] * 8 + ["rejected", "deprecated", "superseded"]
)
LEVELS = ["supported"] * 3 + ["partial", "not"]

SENTENCES = [
    "The {team} team needs {product} to keep {quality} predictable as traffic grows.",
    "Today every service talks to {product} directly, which makes {quality} hard to reason about.",
    "We expect the load to triple within a year, and {quality} already limits the {team} team.",
    "Running {product} ourselves costs two engineers a week of operations on average.",
    "An incident last quarter showed that {quality} suffers when {product} is restarted.",
    "Auditors asked how {product} handles {quality}, and we could not answer with evidence.",
    "Any choice must fit the existing deployment pipeline and the on-call rota of {team}.",
    "The option must let us roll back within minutes if {quality} degrades after a release.",
    "Several teams have built workarounds around {product}; this decision should retire them.",
    "We measured {quality} in a staging environment with production-like data for a week.",
    "Managed offerings move the burden of {quality} to the vendor, at a price per request.",
    "The {team} team has run {product} in production before and knows its failure modes.",
]


@dataclass
class Words:
    rng: random.Random
    # What this decision is about: its teams, the products it weighs, the qualities it cares
    # about. A real ADR names its own; drawing from the whole lists in every sentence put each
    # team and quality in nearly every document ("checkout" in 99 %, "latency" in 96 %).
    teams: list[str] = field(default_factory=lambda: TEAMS)
    products: list[str] = field(default_factory=lambda: PRODUCTS)
    qualities: list[str] = field(default_factory=lambda: QUALITIES)

    def pick(self, items: list[str]) -> str:
        return self.rng.choice(items)

    def sentence(self) -> str:
        """One sentence in four about the decision's domain (its team, products and qualities);
        the others drawn from the ADR corpus's words at their real frequencies
        (bench/vocabulary.py), so each word is in as many documents as in a real log: a few in
        most, most in a few."""
        if self.rng.random() < 0.25:
            return self.pick(SENTENCES).format(
                team=self.pick(self.teams),
                product=self.pick(self.products),
                quality=self.pick(self.qualities),
            )
        words, weights = vocabulary.load()
        drawn = self.rng.choices(words, cum_weights=weights, k=self.rng.randint(8, 18))
        return " ".join(drawn).capitalize() + "."

    def paragraph(self, sentences: int) -> str:
        return " ".join(self.sentence() for _ in range(sentences))

    def phrase(self) -> str:
        quality, team = self.pick(self.qualities), self.pick(self.teams)
        return f"{quality} stays within the agreed budget for {team}"


def generate_record(i: int) -> rec.Record:
    """Decision `i` as a plain record: 3-6 scenarios, a full matrix of 3-5 options, outcome."""
    words = Words(random.Random(i))
    rng = words.rng
    topic, aspect = words.pick(TOPICS), words.pick(ASPECTS)
    products = rng.sample(PRODUCTS, rng.randint(3, 6))
    # The team deciding, and now and then one it consults; the qualities it weighs.
    words.teams = rng.sample(TEAMS, 2)[: 1 + (rng.random() < 0.3)]
    words.products = products
    words.qualities = rng.sample(QUALITIES, rng.randint(2, 4))
    scenarios = [
        rec.ScenarioEntry(
            title=f"{product} ({words.pick(['managed', 'self-hosted', 'hybrid'])})",
            description=words.paragraph(3),
            choose_when=f"Choose this when {words.phrase()} and {words.phrase()}.",
            points=[
                rec.Point(kind=kind, text=words.sentence().rstrip("."))
                for kind in rng.sample(["good", "good", "neutral", "bad", "bad"], rng.randint(3, 5))
            ],
        )
        for product in products
    ]
    options = [
        rec.AuthOptionEntry(
            title=name,
            description=words.sentence(),
            support=[
                rec.SupportEntry(
                    scenario=s.title,
                    level=words.pick(LEVELS),
                    note=f"{words.pick(words.qualities).capitalize()} checked by "
                    f"{words.pick(words.teams)}",
                )
                for s in scenarios
            ],
        )
        for name in rng.sample(
            ["IAM roles", "OIDC tokens", "API keys", "Mutual TLS", "Custom authorizer"],
            rng.randint(3, 5),
        )
    ]
    status = words.pick(STATUSES)
    decided = status not in {"draft", "in_review"}
    return rec.Record(
        title=f"Decide on {topic} {aspect} for {words.teams[0]} ({i})",
        status=status,
        decision_makers=rng.sample(PEOPLE, 2),
        consulted=rng.sample(PEOPLE, 2),
        informed=rng.sample(PEOPLE, 1),
        tags=sorted(rng.sample(TAGS, rng.randint(1, 3))),
        context=words.paragraph(4) + "\n\n" + words.paragraph(4),
        overview=words.paragraph(3),
        drivers=[words.phrase() for _ in range(rng.randint(3, 5))],
        options_intro=f"We compared {len(scenarios)} ways to run the {topic}.",
        scenarios=scenarios,
        chosen=scenarios[0].title if decided else "",
        rationale=words.paragraph(3) if decided else "",
        consequences=[
            rec.Point(kind=kind, text=words.sentence().rstrip("."))
            for kind in ["good", "good", "bad", "neutral"][: rng.randint(3, 4)]
        ],
        confirmation=f"The {words.teams[0]} team reviews the {words.pick(words.qualities)} "
        "dashboard a month after rollout.",
        considerations=[
            rec.ConsiderationEntry(
                title="Authentication", body=words.paragraph(2), is_open=False, options=options
            ),
            rec.ConsiderationEntry(title="Monitoring and tracing", body=words.paragraph(2)),
            rec.ConsiderationEntry(
                title="Cost", body=words.paragraph(2), is_open=rng.random() < 0.5
            ),
        ],
        references=[
            rec.ReferenceEntry(
                title=f"{p} documentation", url=f"https://docs.example.com/{p.lower()}"
            )
            for p in products[:3]
        ],
    )


def bench_user():
    user = ensure_user(USERNAME, PASSWORD, first_name="Bench", last_name="User")
    workspaces = []
    for slug, name in WORKSPACES:
        workspace, _ = Workspace.objects.get_or_create(slug=slug, defaults={"name": name})
        Membership.objects.get_or_create(workspace=workspace, user=user, defaults={"role": "admin"})
        workspaces.append(workspace)
    return user, workspaces


def seed(total: int) -> int:
    """Add decisions until the bench workspaces hold `total`; returns how many were added."""
    user, workspaces = bench_user()
    have = Decision.objects.filter(workspace__in=workspaces).count()
    for start in range(have, total, BATCH):
        _insert_batch(user, workspaces, range(start, min(start + BATCH, total)))
    # Search documents are built as the app builds them, so the first search is not a rebuild.
    from apps.search.index import refresh

    refresh()
    if connection.vendor == "postgresql":
        # Statistics and visibility as autovacuum keeps them in a running instance; without
        # them the planner guesses after a bulk load. VACUUM cannot run inside a transaction
        # (a test's), ANALYZE can.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)")
    return max(total - have, 0)


@transaction.atomic
def _insert_batch(user, workspaces: list[Workspace], indexes: range) -> None:
    records = [(i, generate_record(i)) for i in indexes]
    # Every tag in every bench workspace, used yet or not, as a team's filters offer them.
    Tag.objects.bulk_create(
        [Tag(workspace=ws, name=name) for ws in workspaces for name in TAGS],
        ignore_conflicts=True,
    )
    # The importer's bulk insert, so the bench's rows are made as an imported folder's are.
    decisions = insert_records(
        [(workspaces[i % len(workspaces)], r, i // len(workspaces) + 1) for i, r in records],
        owner=user,
    )
    # Every third decision relates to an earlier one of its workspace, as real logs do.
    Relation.objects.bulk_create(
        Relation(source=d, target_id=earlier.pk, kind=RelationKind.RELATES_TO)
        for d, earlier in zip(decisions[len(workspaces) :], decisions, strict=False)
        if d.number % 3 == 0 and earlier.workspace_id == d.workspace_id
    )
