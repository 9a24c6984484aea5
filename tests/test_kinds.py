"""One table of file kinds (format/kinds.py), read by everything; no YAML file goes unread silently."""

from __future__ import annotations

import datetime as dt
import fnmatch
import subprocess
import tomllib
from dataclasses import fields as dataclass_fields

import pytest
from conftest import REPO_ROOT, SAMPLE, git, record_text

from zhibu.check import check_branch
from zhibu.format import json_schema, kinds
from zhibu.format.load import _Builder, load_branch
from zhibu.model.branch import Branch
from zhibu.model.findings import Caps
from zhibu.store import files, gitrepo
from zhibu.store.holidays import HOLIDAYS_FILE

REC = "records/2026/2026-03-05-支部委员会.yaml"


def unknown(loaded) -> dict[str, str]:
    return {f.path: f.hint for f in loaded.findings if f.code == "format.unknown-file"}


# --- the table -----------------------------------------------------------------------------------


def test_the_table_names_builders_models_and_files_that_exist():
    branch_fields = {f.name for f in dataclass_fields(Branch)}
    for kind in kinds.FILE_KINDS:
        assert kind.fields and kind.schema == f"{kind.key}.json"
        assert kind.model in branch_fields, kind.key
        assert kind is kinds.BRANCH or callable(getattr(_Builder, kind.builder)), kind.key
        assert kind.hook in ("alone", "branch")
    for kind in kinds.ALL_KINDS:
        assert (
            kinds.kind_for_path(kind.pattern.replace("<YYYY>", "2026").replace("*", "示例") + ("x" if kind.free else "")) is kind
        )
    assert kinds.BRANCH.pattern == files.MARKER
    assert kinds.HOLIDAYS.pattern == HOLIDAYS_FILE
    assert kinds.FREE_FOLDERS == ("attachments",)


def test_every_sample_file_is_of_a_kind_and_every_kind_but_holidays_is_in_the_sample():
    found = {}
    for path in SAMPLE.rglob("*"):
        if path.is_file() and "__pycache__" not in path.parts:
            rel = path.relative_to(SAMPLE).as_posix()
            kind = kinds.kind_for_path(rel)
            assert kind is not None, rel
            found[kind.key] = rel
    assert set(found) == {k.key for k in kinds.ALL_KINDS} - {"holidays"}


def test_the_wheel_ships_every_folder_kind_of_the_sample():
    """pyproject.toml lists the sample's folders as packages by hand (it cannot be generated)."""
    setuptools = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    folders = {k.folder for k in kinds.ALL_KINDS if k.folder}
    listed = {p.removeprefix("zhibu.sample_branch.") for p in setuptools["packages"] if p.startswith("zhibu.sample_branch.")}
    assert listed == folders
    for folder in folders:
        globs = setuptools["package-data"][f"zhibu.sample_branch.{folder}"]
        for path in (SAMPLE / folder).rglob("*"):
            if path.is_file():
                rel = path.relative_to(SAMPLE / folder).as_posix()
                assert any(fnmatch.fnmatch(rel, g) and rel.count("/") == g.count("/") for g in globs), (folder, rel)


def test_key_orders_come_from_the_field_tables():
    from zhibu.write import edit, plans

    assert edit.RECORD_KEY_ORDER == ("type", "date", "time", "place", "host", "recorder", "attendees", "absent", "guests", "group",
        "lecturer", "theme", "topics", "content", "resolutions", "counts_as", "plan", "delegated", "attachments",
        "for_year", "dues_published")  # fmt: skip
    assert edit.RESOLUTION_KEY_ORDER == ("text", "kind", "votes", "adopted", "person", "ballots", "candidates")
    assert plans.PLAN_KEY_ORDER == ("id", "month", "kind", "topic", "type", "date", "owner")


@pytest.mark.parametrize(
    ("rel", "key"),
    [
        ("zhibu.yaml", "branch"),
        ("records/2026/a.yaml", "record"),
        ("talks/2026.yaml", "talks"),
        ("plans/2026.yaml", "plan"),
        ("dues/2026.yaml", "dues"),
        ("standards/X.yaml", "pack"),
        ("holidays.yaml", "holidays"),
        ("attachments/扫描/签到.yaml", "attachments"),
        ("records/a.yaml", None),
        ("records/2026/03/a.yaml", None),
        ("records/2026/.a.yaml", None),
        ("plans/2026-草稿.yaml", None),
        ("talks/2026/a.yaml", None),
        ("standards/旧/X.yaml", None),
        ("record/2026/a.yaml", None),
        ("records/2026/a.yml", None),
        ("Members.yaml", None),
    ],
)
def test_one_matcher(rel, key):
    kind = kinds.kind_for_path(rel)
    assert (kind.key if kind else None) == key


def test_the_audit_looks_at_the_kinds_it_did_before():
    for rel in ("records/2026/a.yaml", "records/2026/a.yml", "members.yml", "holidays.yaml", "standards/X.yaml", "waivers.yaml"):
        assert kinds.is_audited(rel), rel
    for rel in ("attachments/签到.pdf", "attachments/a.yaml", "README.md", "standards/旧/X.yaml"):
        assert not kinds.is_audited(rel), rel


# --- format.unknown-file -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rel", "meant"),
    [
        ("record/2026/2026-03-05-支部委员会.yaml", "是否应为 records/2026/2026-03-05-支部委员会.yaml？"),
        ("records/2026-03-05-支部委员会.yaml", "是否应为 records/2026/2026-03-05-支部委员会.yaml？"),
        ("records/2026/03/2026-03-05-支部委员会.yaml", "是否应为 records/2026/2026-03-05-支部委员会.yaml？"),
        ("plans/2026-draft.yaml", "是否应为 plans/2026.yaml？"),
        ("talk/2026.yaml", "是否应为 talks/2026.yaml？"),
        ("member.yaml", "是否应为 members.yaml？"),
        ("holiday.yaml", "是否应为 holidays.yaml？"),
        ("attachment/签到.yaml", "是否应放在 attachments/签到.yaml？"),
        ("commitment/2026.yaml", "支部仓库中的 YAML 文件只能是：zhibu.yaml、members.yaml"),
        ("2026-03-05-支部委员会.yaml", "是否应为 records/2026/2026-03-05-支部委员会.yaml？"),
    ],
)
def test_a_misplaced_yaml_file_is_reported_with_where_it_belongs(make_branch, rel, meant):
    loaded = load_branch(make_branch({rel: record_text()}))
    assert [f.code for f in loaded.findings] == ["format.unknown-file"]
    finding = loaded.findings[0]
    assert finding.path == rel and finding.line is None
    assert finding.hint.startswith(meant), finding.hint
    assert "attachments/" in finding.hint
    assert loaded.branch.records == () and loaded.branch.plans == ()  # not read: its contents count for nothing


def test_attachments_hidden_folders_nested_branches_and_listed_packs_are_not_unknown(make_branch):
    root = make_branch(
        {
            "zhibu.yaml": "format: 1\nname: 中共测试支部委员会\nparent: 中共测试委员会\ncategory: 高校\n"
            "groups: [第一党小组, 第二党小组]\nstandard: [规则/X-本支部.yaml]\n",
            "规则/X-本支部.yaml": "pack: X-本支部\nlayer: X\ntitle: 本支部\nversion: 1\nrules: []\n",
            "attachments/任意/a.yaml": "[[[ not even YAML",
            ".vscode/a.yaml": "x: 1\n",
            ".zhibu/a.yml": "x: 1\n",
            "records/.草稿.yaml": "x: 1\n",
            "二支部/zhibu.yaml": "format: 1\n",
            "二支部/records/2026/a.yaml": "x: 1\n",
            "二支部/笔记.yaml": "x: 1\n",
            REC: record_text(),
        }
    )
    loaded = load_branch(root)
    assert loaded.findings == []
    assert [p.path for p in loaded.branch.packs] == ["规则/X-本支部.yaml"]
    assert len(loaded.branch.records) == 1


def test_yml_of_a_known_kind_keeps_its_rename_hint_and_other_yml_is_unknown(make_branch):
    loaded = load_branch(
        make_branch({"records/2026/a.yml": record_text(), "笔记/a.yml": "x: 1\n", "holidays.yml": "holidays: []\n"})
    )
    assert sorted((f.code, f.path) for f in loaded.findings) == [
        ("format.bad-value", "holidays.yml"),
        ("format.bad-value", "records/2026/a.yml"),
        ("format.unknown-file", "笔记/a.yml"),
    ]


def test_a_symlinked_records_folder_is_reported_not_skipped(make_branch, tmp_path):
    outside = tmp_path / "别处"
    (outside / "2026").mkdir(parents=True)
    (outside / "2026" / "a.yaml").write_text(record_text(), encoding="utf-8")
    root = make_branch({})
    (root / "records").symlink_to(outside, target_is_directory=True)
    loaded = load_branch(root)
    assert [(f.code, f.path) for f in loaded.findings] == [("format.unsafe-file", "records")]


def test_many_unknown_files_stay_within_the_per_code_cap(make_branch):
    root = make_branch({})
    folder = root / "杂项"
    folder.mkdir()
    for i in range(30):
        (folder / f"{i}.yaml").write_text("x: 1\n", encoding="utf-8")
    loaded = load_branch(root, caps=Caps(per_code=10))
    assert sum(f.code == "format.unknown-file" for f in loaded.findings) == 10
    assert loaded.left_out.counts == {"format.unknown-file": 20}


def test_the_check_fails_on_an_unknown_file_in_the_work_tree_and_in_git(git_branch):
    root = git_branch({"record/2026/a.yaml": record_text()})
    result = check_branch(root, as_of=dt.date(2026, 4, 30), history=False)
    assert "record/2026/a.yaml" in {f.path for f in result.findings if f.code == "format.unknown-file"}
    assert result.exit_code == 1
    # The same from git (zhibu check --at, and batch checks of bare mirrors read Snapshots).
    head = gitrepo.state(root).head
    snapshot = files.Snapshot(root, gitrepo.read_tree(root, head, wanted=files.is_branch_file))
    assert unknown(load_branch(root, snapshot)).keys() == {"record/2026/a.yaml"}
    at = check_branch(root, as_of=dt.date(2026, 4, 30), at=head, history=False)
    assert "record/2026/a.yaml" in {f.path for f in at.findings if f.code == "format.unknown-file"}


def test_the_pre_commit_hook_refuses_a_misplaced_record(git_branch, run):
    root = git_branch()
    assert run("hooks", "install", "-C", root).exit_code == 0
    (root / "record/2026").mkdir(parents=True)
    (root / "record/2026/a.yaml").write_text(record_text(), encoding="utf-8")
    git(root, "add", "-A")
    refused = subprocess.run(["git", "commit", "-q", "-m", "记录"], cwd=root, capture_output=True, text=True)
    assert refused.returncode != 0
    assert "record/2026/a.yaml: format.unknown-file" in refused.stderr
    assert "是否应为 records/2026/a.yaml" in refused.stderr


def test_only_files_with_a_schema_get_a_modeline():
    assert json_schema.modeline("records/2026/a.yaml").endswith("../../.zhibu/schema/record.json")
    for rel in ("standards/X.yaml", "holidays.yaml", "attachments/a.yaml", "records/a.yaml"):
        assert json_schema.kind_for_path(rel) is None, rel


def test_a_draft_in_the_branch_root_is_left_alone(make_branch):
    """The manuals have secretaries write drafts for ``meeting add --from`` in the branch folder."""
    root = make_branch({"接收.yaml": record_text(), "笔记.yml": "x: 1\n", "草稿/接收.yaml": record_text()})
    loaded = load_branch(root)
    assert [(f.code, f.path) for f in loaded.findings] == [("format.unknown-file", "草稿/接收.yaml")]
    assert not kinds.is_draft("member.yaml") and not kinds.is_draft("2026-03-05-党课.yaml") and kinds.is_draft("接收.yaml")
