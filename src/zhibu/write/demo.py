"""``zhibu demo``: the bundled sample branch as a git repository with a believable history.

The history is replayed from the sample's own dates: the roster, committee,
development ledger, talks and dues are committed as they stood on each day
something changed, and each record a day or two after its meeting (one is
recorded six weeks late, as happens, so the audit trail has something to
show). The final work tree is exactly ``sample-branch/``.
"""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass, replace
from pathlib import Path

from .. import assets
from ..errors import ZhibuError
from ..format import kinds
from ..format.json_schema import branch_schema_files, with_modeline
from ..store import files, gitrepo, yamlio

LATE_RECORD = "records/2025/2025-08-29-主题党日.yaml"  # recorded late on purpose
LATE_BY_DAYS = 41
START = dt.date(2025, 1, 2)


@dataclass(frozen=True)
class Step:
    when: dt.datetime
    rel: str
    text: str
    message: str
    author: str


def sample_files() -> dict[str, str]:
    """The sample branch shipped in the package: relative path -> text."""
    root = assets.sample_branch()
    out = {}

    def walk(node, prefix: str):
        for child in sorted(node.iterdir(), key=lambda c: c.name):
            rel = f"{prefix}{child.name}"
            if child.is_dir():
                if child.name != "__pycache__":
                    walk(child, rel + "/")
            elif child.name.endswith((".yaml", ".txt")):
                out[rel] = child.read_text(encoding="utf-8")

    walk(root, "")
    return out


def create_demo(target: Path) -> int:
    """Create the demo repository at ``target`` (which must not exist or be empty); returns the commit count."""
    if target.exists() and any(target.iterdir()):
        raise ZhibuError(f"{target} 已存在且不是空目录。", "换一个新目录名，例如 zhibu demo 示例支部。")
    sample = sample_files()
    steps = _history(sample)
    # As ``zhibu init`` sets a branch up: every format file opens with the modeline that points
    # editors at its JSON Schema, the schemas and the .gitignore come with the first commit.
    steps = [replace(step, text=with_modeline(step.rel, step.text)) for step in steps]
    first = min(step.when for step in steps)
    setup = {rel: raw.decode("utf-8") for rel, raw in branch_schema_files().items()}
    setup[".gitignore"] = files.GITIGNORE
    steps += [Step(first, rel, text, steps[0].message, steps[0].author) for rel, text in setup.items()]
    existed = target.exists()
    target.mkdir(parents=True, exist_ok=True)
    try:
        gitrepo.init(target)
        count = 0
        for when, batch in _batches(steps):
            for step in batch:
                path = target / step.rel
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(step.text, encoding="utf-8")
            message = batch[0].message  # a batch is the steps of one time and one message
            gitrepo.commit_as(
                target, [s.rel for s in batch], message, author=batch[0].author, email=author_email(batch[0].author), when=when
            )
            count += 1
        leftovers = [
            rel for rel, text in sample.items() if (target / rel).read_text(encoding="utf-8") != with_modeline(rel, text)
        ]
        if leftovers:  # the replay must end exactly at the sample; anything else is a bug here
            raise ZhibuError(f"示例历史与示例支部不一致：{'、'.join(leftovers)}")
    except BaseException:
        if existed:  # leave the empty folder the user made, as it was
            for child in target.iterdir():
                if child.is_dir():
                    shutil.rmtree(child, ignore_errors=True)
                else:
                    child.unlink()
        else:
            shutil.rmtree(target, ignore_errors=True)
        raise
    return count


def _batches(steps: list[Step]):
    """Group steps that share a commit time (one commit for an initial set of files)."""
    steps = sorted(steps, key=lambda s: (s.when, s.rel))
    batch: list[Step] = []
    for step in steps:
        if batch and (step.when != batch[0].when or step.message != batch[0].message):
            yield batch[0].when, batch
            batch = []
        batch.append(step)
    if batch:
        yield batch[0].when, batch


_AUTHORS = {
    "张伟": "zhangwei@example.edu.cn",
    "王建国": "wangjianguo@example.edu.cn",
    "李晓梅": "lixiaomei@example.edu.cn",
    "陈志强": "chenzhiqiang@example.edu.cn",
    "郑凯": "zhengkai@example.edu.cn",
}


def author_email(name: str) -> str:
    return _AUTHORS.get(name, "secretary@example.edu.cn")


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=dt.timezone(dt.timedelta(hours=8)))


# How the history replays each kind of file (format/kinds.py): ledgers as they stood on each day
# something in them changed, list files entry by entry, records one by one. Any other kind (the
# settings, rule packs, attachments, and a kind this module does not know) is committed with the
# first commit, unless its list's entries carry dates, which are then replayed one by one.
_AS_OF = {"members": "名册", "committee": "支委会", "development": "发展党员台账"}
_ENTRY_WORDS = {"talks": "谈心谈话", "dues": "党费交纳"}


def _history(sample: dict[str, str]) -> list[Step]:
    steps: list[Step] = []
    keeper = "张伟"  # 组织委员 keeps the roster and ledgers
    start = _at(START, 9)
    by_kind: dict[str, list[str]] = {}
    for rel in sorted(sample):
        kind = kinds.kind_for_path(rel)
        if kind is None:
            raise ZhibuError(f"示例支部中的 {rel} 不属于任何一类文件。")
        by_kind.setdefault(kind.key, []).append(rel)
    # The first commit: the settings first (its message and author are the setup's), then the rest.
    for key in sorted(by_kind, key=lambda k: k != kinds.BRANCH.key):
        kind = next(k for k in kinds.ALL_KINDS if k.key == key)
        for rel in by_kind[key]:
            if key in _AS_OF or key in ("plan", "waivers", "record") or _dated_entries(kind, sample[rel]):
                continue
            steps.append(Step(start, rel, sample[rel], "建立支部工作台账", "王建国"))

    ledgers = {"members.yaml": _members_as_of, "committee.yaml": _committee_as_of, "development.yaml": _development_as_of}
    for key, label in _AS_OF.items():
        for rel in by_kind.get(key, []):
            doc = yamlio.load_roundtrip(sample[rel])
            for day in sorted({START} | {d for d in _dates(doc) if START < d <= dt.date(2025, 12, 31)}):
                text = ledgers[rel](sample[rel], day)
                if day == START:
                    steps.append(Step(start, rel, text, "建立支部工作台账", "王建国"))
                else:
                    steps.append(Step(_at(day, 17, 30), rel, text, f"{label} 更新至 {day}", keeper))

    for rel in by_kind.get("plan", []):
        steps.append(Step(_at(dt.date(2025, 1, 3), 10), rel, sample[rel], f"制定{Path(rel).stem}年度计划（一表）", keeper))
    for rel in by_kind.get("waivers", []):
        approved = max(_dates(yamlio.load_roundtrip(sample[rel])))
        steps.append(Step(_at(approved, 16), rel, sample[rel], "登记经上级批准的例外", "王建国"))

    for kind in kinds.ALL_KINDS:
        if kind.key in _AS_OF or kind.key in ("plan", "waivers", "record"):
            continue
        label = _ENTRY_WORDS.get(kind.key, kind.title)
        for rel in by_kind.get(kind.key, []):
            if not _dated_entries(kind, sample[rel]):
                continue
            doc = yamlio.load_roundtrip(sample[rel])
            for day in sorted({item["date"] for item in doc.get(kind.list_key) or []}):
                when = _at(day + dt.timedelta(days=1), 12)
                steps.append(Step(when, rel, _items_as_of(sample[rel], kind.list_key, day), f"登记{label} {day}", keeper))

    for rel in by_kind.get("record", []):
        data = yamlio.parse(sample[rel]).data
        day = data["date"]
        lag = LATE_BY_DAYS if rel == LATE_RECORD else 1 + day.toordinal() % 2
        types = data["type"] if isinstance(data["type"], list) else [data["type"]]
        topic = (data.get("topics") or [""])[0]
        steps.append(
            Step(
                _at(day + dt.timedelta(days=lag), 20, 15),
                rel,
                sample[rel],
                f"记录 {'、'.join(types)} {day}：{topic}",
                data.get("recorder", keeper),
            )
        )
    return steps


def _dated_entries(kind, text: str) -> bool:
    """Whether a file of ``kind`` is a list whose every entry has a date (replayed entry by entry)."""
    if not kind.list_key or not any(f.name == kind.list_key and any(g.name == "date" for g in f.fields) for f in kind.fields):
        return False
    entries = yamlio.parse(text).data
    entries = entries.get(kind.list_key) if isinstance(entries, dict) else None
    return bool(entries) and all(isinstance(e, dict) and isinstance(e.get("date"), dt.date) for e in entries)


def _dates(node) -> set[dt.date]:
    """Every date anywhere in a parsed document."""
    out = set()
    if isinstance(node, dict):
        for value in node.values():
            out |= _dates(value)
    elif isinstance(node, list):
        for value in node:
            out |= _dates(value)
    elif isinstance(node, dt.date):
        out.add(node)
    return out


def _members_as_of(text: str, day: dt.date) -> str:
    doc = yamlio.load_roundtrip(text)
    members = doc["members"]
    for index in reversed(range(len(members))):
        entry = members[index]
        if entry["joined"] > day:
            del members[index]
            continue
        if "left" in entry and entry["left"]["date"] > day:
            del entry["left"]
        if entry.get("full_since") and entry["full_since"] > day:
            entry["status"] = "预备党员"
            del entry["full_since"]
    return yamlio.dump_roundtrip(doc)


def _committee_as_of(text: str, day: dt.date) -> str:
    doc = yamlio.load_roundtrip(text)
    for term in doc["terms"]:
        changes = term.get("changes")
        if changes:
            for index in reversed(range(len(changes))):
                if changes[index]["date"] > day:
                    del changes[index]
            if not changes:
                del term["changes"]
    return yamlio.dump_roundtrip(doc)


def _development_as_of(text: str, day: dt.date) -> str:
    doc = yamlio.load_roundtrip(text)
    people = doc["people"]
    for index in reversed(range(len(people))):
        person = people[index]
        if person.get("applied") and person["applied"] > day:
            del people[index]
            continue
        for key in ("talked", "activist", "candidate", "admitted", "full"):
            value = person.get(key)
            if isinstance(value, dt.date) and value > day:
                if key in ("admitted",) and "full" in person:
                    del person["full"]
                if key == "full":
                    person[key] = None
                else:
                    del person[key]
    return yamlio.dump_roundtrip(doc)


def _items_as_of(text: str, key: str, day: dt.date) -> str:
    doc = yamlio.load_roundtrip(text)
    items = doc[key]
    for index in reversed(range(len(items))):
        if items[index]["date"] > day:
            del items[index]
    return yamlio.dump_roundtrip(doc)
