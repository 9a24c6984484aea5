"""What one branch may cost: bytes read, findings listed, a worker's time and memory (issue 11)."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from conftest import SAMPLE, git, init_repo

from zhibu.check import check_branch
from zhibu.committee.batch import Target, check_target, discover, run_batch
from zhibu.format.load import load_branch
from zhibu.model.findings import MAX_FINDINGS, MAX_PER_CODE
from zhibu.store import files, gitrepo

AS_OF = dt.date(2025, 12, 31)


def commit_all(root: Path, message: str = "初始") -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)


def sample_repo(where: Path) -> Path:
    shutil.copytree(SAMPLE, where)
    init_repo(where)
    commit_all(where)
    return where


# --- bytes -------------------------------------------------------------------------------


def test_a_mirror_blob_over_the_file_limit_is_never_read(tmp_path, monkeypatch):
    work = sample_repo(tmp_path / "work")
    big = work / "records/2025/2025-12-30-集中学习.yaml"
    big.write_bytes(b"# " + b"x" * (files.MAX_FILE_BYTES + 10) + b"\n")
    commit_all(work, "大文件")
    mirror = tmp_path / "mirror.git"
    subprocess.run(["git", "clone", "-q", "--mirror", str(work), str(mirror)], check=True)
    asked: list[str] = []
    real_cat = gitrepo._cat
    monkeypatch.setattr(gitrepo, "_cat", lambda root, specs: asked.extend(specs) or real_cat(root, specs))
    tree = gitrepo.read_tree(mirror, gitrepo.state(mirror).head, prefix="", wanted=files.is_branch_file)
    withheld = tree["records/2025/2025-12-30-集中学习.yaml"]
    assert isinstance(withheld, files.Withheld) and withheld.size > files.MAX_FILE_BYTES
    big_sha = git(work, "rev-parse", "HEAD:records/2025/2025-12-30-集中学习.yaml")
    assert asked and big_sha not in asked  # its size came from ls-tree; cat-file never saw it
    entry = check_target(Target(mirror, "mirror.git", "bare"), AS_OF, 2025)
    refused = [f for f in entry["findings"] if f["code"] == "format.unsafe-file"]
    assert [f["path"] for f in refused] == ["records/2025/2025-12-30-集中学习.yaml"]
    assert "超过上限 1024 KB" in refused[0]["message"]


def test_cat_blobs_sizes_first_and_withholds_big_ones(tmp_path):
    work = sample_repo(tmp_path / "work")
    (work / "members.yaml").write_bytes(b"#" * (files.MAX_FILE_BYTES + 1))
    commit_all(work, "大名册")
    found = gitrepo.cat_blobs(work, ["HEAD:members.yaml", "HEAD~1:members.yaml", "HEAD:没有这个文件.yaml"])
    assert isinstance(found["HEAD:members.yaml"], files.Withheld)
    assert found["HEAD~1:members.yaml"].startswith(b"# ")
    assert "HEAD:没有这个文件.yaml" not in found


def test_the_branch_byte_budget_is_shared_by_every_read(tmp_path):
    root = tmp_path / "b"
    shutil.copytree(SAMPLE, root)
    size = sum((root / rel).stat().st_size for rel in files.WorkTree(root).list_files())
    tree = files.WorkTree(root, budget=files.ByteBudget(size // 2))
    loaded = load_branch(root, tree)
    over = [f for f in loaded.findings if f.code == "format.unsafe-file"]
    assert over and all("文件总量达到上限" in f.message and f.path for f in over)
    # what fits is read in path order, the same every time
    again = load_branch(root, files.WorkTree(root, budget=files.ByteBudget(size // 2)))
    assert [f.path for f in again.findings if f.code == "format.unsafe-file"] == [f.path for f in over]


# --- findings ----------------------------------------------------------------------------


def test_unknown_keys_by_the_thousand_are_capped_while_loading(make_branch):
    keys = "".join(f"未定义{i}: 值\n" for i in range(5000))
    root = make_branch({"records/2025/2025-03-05-支部委员会.yaml": "type: 支部委员会\ndate: 2025-03-05\n" + keys})
    loaded = load_branch(root)
    unknown = [f for f in loaded.findings if f.code == "format.unknown-field"]
    assert len(unknown) == MAX_PER_CODE  # never built past the cap, not built and then cut
    assert loaded.left_out.counts["format.unknown-field"] == 5000 - MAX_PER_CODE
    result = check_branch(root, as_of=AS_OF, year=2025, history=False)
    capped = [f for f in result.findings if f.code == "internal.findings-capped"]
    assert len(capped) == 1 and f"另有 {5000 - MAX_PER_CODE} 条" in capped[0].message
    assert capped[0].path == "records/2025/2025-03-05-支部委员会.yaml" and capped[0].line
    assert sum(1 for f in result.findings if f.code == "format.unknown-field") == MAX_PER_CODE


def test_the_total_cap_keeps_errors_first(make_branch):
    from zhibu.model.findings import Caps

    bad_dates = "".join(f"  - {{name: 党员{i}, status: 正式党员, admitted: 不详, joined: 2012-09-01}}\n" for i in range(30))
    root = make_branch(
        {
            "members.yaml": "members:\n" + bad_dates,
            "records/2025/x.yaml": "type: 支部委员会\ndate: 2025-03-05\n" + "".join(f"k{i}: 1\n" for i in range(30)),
        }
    )
    result = check_branch(root, as_of=AS_OF, year=2025, history=False, caps=Caps(per_code=1000, total=20))
    listed = [f for f in result.findings if f.code != "internal.findings-capped"]
    assert len(listed) == 20 and all(f.severity.label == "error" for f in listed)
    capped = next(f for f in result.findings if f.code == "internal.findings-capped")
    assert capped.severity.label == "error"  # errors were left out too: the summary says so by its level
    assert result.exit_code == 1


def test_a_flooded_branch_stays_small_in_batch_json(make_branch, run, tmp_path):
    keys = "".join(f"k{i}: v\n" for i in range(20000))
    top = tmp_path / "top"
    root = make_branch(
        {f"records/2025/2025-0{m}-05-支部委员会.yaml": f"type: 支部委员会\ndate: 2025-0{m}-05\n" + keys for m in range(1, 8)}
    )
    shutil.copytree(root, top / "洪水")
    result = run("batch", "check", top, "--as-of", "2025-12-31", "--format", "json", "-j", "1")
    data = json.loads(result.stdout)
    findings = data["branches"][0]["findings"]
    unknown = [f for f in findings if f["code"] == "format.unknown-field"]
    assert len(unknown) == MAX_PER_CODE and len(findings) < 2 * MAX_PER_CODE < MAX_FINDINGS
    assert any(f["code"] == "internal.findings-capped" and "另有 139000 条" in f["message"] for f in findings)
    assert len(result.stdout) < 1_000_000


# --- a worker's time and memory ----------------------------------------------------------


def slow_on_one(target: Target, as_of, year, **options):
    if "慢" in target.label:
        time.sleep(60)
    return check_target(target, as_of, year, **options)


def hungry_on_one(target: Target, as_of, year, **options):
    if "贪" in target.label:
        hoard = [bytearray(64 * 1024 * 1024) for _ in range(64)]  # 4 GB, far over the budget
        return {"never": len(hoard)}
    return check_target(target, as_of, year, **options)


@pytest.fixture
def three(tmp_path):
    top = tmp_path / "top"
    for name in ("慢支部", "贪支部", "好支部"):
        shutil.copytree(SAMPLE, top / name)
    return top


def test_a_branch_over_its_time_gets_timeout_and_the_run_goes_on(three):
    results = []
    started = time.monotonic()
    run_batch(discover([three]), as_of=AS_OF, year=2025, jobs=2, on_result=results.append, worker=slow_on_one, timeout=3)
    assert time.monotonic() - started < 30
    statuses = {r["root"]: r["status"] for r in results}
    assert statuses == {"慢支部": "timeout", "贪支部": "findings", "好支部": "findings"}
    assert "超时" in next(r["reason"] for r in results if r["root"] == "慢支部")


@pytest.mark.parametrize("worker, status", [(slow_on_one, "timeout"), (hungry_on_one, "memory")])
def test_the_branches_queued_behind_a_stopped_worker_are_checked_by_another(three, worker, status):
    # One job: each worker holds the branch it checks and the next; when it is stopped, the next
    # one goes to a fresh worker, checked once, never lost.
    results = []
    run_batch(
        discover([three]), as_of=AS_OF, year=2025, jobs=1, on_result=results.append, worker=worker, timeout=3, memory_mb=512
    )
    assert sorted(r["root"] for r in results) == ["好支部", "慢支部", "贪支部"]
    bad = "慢支部" if status == "timeout" else "贪支部"
    assert {r["root"]: r["status"] for r in results} == {**{n: "findings" for n in ("好支部", "慢支部", "贪支部")}, bad: status}


def test_a_branch_over_its_memory_gets_memory_and_the_run_goes_on(three):
    results = []
    run_batch(discover([three]), as_of=AS_OF, year=2025, jobs=1, on_result=results.append, worker=hungry_on_one, memory_mb=512)
    statuses = {r["root"]: r["status"] for r in results}
    assert statuses == {"慢支部": "findings", "贪支部": "memory", "好支部": "findings"}  # the next branch has a fresh worker
    assert "超出内存" in next(r["reason"] for r in results if r["root"] == "贪支部")


def test_batch_check_options_and_statuses_in_every_format(three, run, monkeypatch, tmp_path):
    import zhibu.committee.batch

    monkeypatch.setattr(zhibu.committee.batch, "_work", slow_on_one)
    result = run("batch", "check", three, "--as-of", "2025-12-31", "--format", "json", "-j", "2", "--timeout", "2")
    data = json.loads(result.stdout)
    assert {b["root"]: b["status"] for b in data["branches"]}["慢支部"] == "timeout"
    assert data["summary"]["timeout"] == 1 and data["summary"]["unreadable"] == 1
    text = run("batch", "check", three, "--as-of", "2025-12-31", "-j", "2", "--timeout", "2").stdout
    assert "慢支部" in text and "超时" in text
    csv_text = run("batch", "check", three, "--as-of", "2025-12-31", "--format", "csv", "-j", "2", "--timeout", "2").stdout
    assert any(line.startswith("慢支部,,timeout,") for line in csv_text.splitlines())
