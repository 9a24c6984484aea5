"""``zhibu check`` as a library call: load, merge the standard, run every rule, apply waivers.

The result is data; :mod:`zhibu.report.printer` turns it into text or JSON.
"""

from __future__ import annotations

import datetime as dt
import traceback
from dataclasses import dataclass, field, replace
from pathlib import Path

from . import __version__
from .format.load import Loaded, load_branch
from .model.branch import Waiver
from .model.findings import (
    DEFAULT_CAPS,
    Caps,
    Finding,
    LeftOut,
    Severity,
    cap_findings,
    sort_findings,
)
from .rules.registry import KINDS, Context, Rule
from .rules.waivers import expired, waiver_for
from .standard.layers import Standard, build_standard
from .store.holidays import HOLIDAYS_FILE, Calendar, HolidayFileError


@dataclass
class CheckResult:
    loaded: Loaded
    standard: Standard
    as_of: dt.date
    start: dt.date
    end: dt.date
    findings: list[Finding] = field(default_factory=list)  # not waived, sorted
    waived: list[tuple[Finding, Waiver]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # lines that are not findings (no git, shallow clone, 补正 reasons)
    version: str = __version__

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.findings if f.severity == severity)

    @property
    def summary(self) -> dict:
        return {
            "error": self.count(Severity.ERROR),
            "warning": self.count(Severity.WARNING),
            "info": self.count(Severity.INFO),
            "waived": len(self.waived),
        }

    @property
    def exit_code(self) -> int:
        """0 without unwaived errors, 1 with; 2 when the configuration could not be used."""
        if not self.loaded.config_ok:
            return 2
        return 1 if self.count(Severity.ERROR) else 0


def check_range(as_of: dt.date, year: int | None) -> tuple[dt.date, dt.date]:
    """The checked range: the whole of ``year`` (default: the as-of date's), cut at the as-of date."""
    year = year or as_of.year
    return dt.date(year, 1, 1), min(dt.date(year, 12, 31), as_of)


def check_branch(
    root: Path,
    *,
    as_of: dt.date | None = None,
    year: int | None = None,
    loaded: Loaded | None = None,
    strict: bool = False,
    at: str | None = None,
    witness: list[str] | None = None,
    history: bool = True,
    tree=None,
    caps: Caps = DEFAULT_CAPS,
) -> CheckResult:
    """Check the branch at ``root`` against its standard.

    Args:
        as_of: the date the check is made on (default today); only periods that
            ended by then are judged.
        year: the calendar year to report (default: the as-of date's year).
        loaded: an already loaded branch (skips reading the files again).
        strict: re-raise a crashing rule instead of reporting it (for tests).
        at: judge the branch as it stood at this commit, read from git (the
            work tree is not touched).
        witness: lines of a witness file (``<sha> <date> …``) a higher committee kept.
        history: read git history for the audit rules (off: as if not a repository).
        tree: the files to check when already read (a :class:`~zhibu.store.files.Snapshot`
            of ``at``, as batch checks of bare mirrors have them).
        caps: how many findings to list (each code, in all); the rest are counted in one
            ``internal.findings-capped`` finding.
    """
    as_of = as_of or dt.date.today()
    notes: list[str] = []
    if at is not None and tree is None:
        from .store import files, gitrepo

        at = gitrepo.resolve(root, at)
        tree = files.Snapshot(root, gitrepo.read_tree(root, at, wanted=files.is_branch_file))
        notes.append(f"按 git 中的提交 {at[:12]} 检查（工作区未改动）。")
    loaded = loaded or load_branch(root, tree, caps=caps)
    start, end = check_range(as_of, year)
    standard = build_standard(loaded.branch)
    calendar, calendar_findings = _calendar(root, loaded, tree)
    ctx = Context(loaded.branch, as_of, start, end, standard.rules, holidays=calendar)
    if history:
        _attach_history(ctx, root, at, witness or [], notes)
    findings = [_restamp(f, standard.rules) for f in (*loaded.findings, *calendar_findings)]
    findings += [_restamp(f, standard.rules) for f in standard.findings]
    if end >= start:
        for rule in standard.rules.values():
            evaluate = KINDS[rule.kind].evaluate
            if evaluate is None:
                continue
            try:
                findings.extend(evaluate(ctx, rule))
            except MemoryError:
                raise  # over the worker's memory budget: not a defect of this rule
            except Exception as exc:  # a crashing rule costs one finding, not the whole check
                if strict:
                    raise
                findings.append(_crash(rule, exc))
    active, waiver_findings = _active_waivers(loaded, standard, as_of)
    findings += waiver_findings
    kept, waived = [], []
    for finding in findings:
        waiver = waiver_for(active, finding.code, finding.period, finding.subject)
        if waiver is None:
            kept.append(finding)
        else:
            waived.append((finding, waiver))
    left_out = LeftOut()
    left_out.merge(loaded.left_out)
    listed = cap_findings(sort_findings(_dedupe(kept)), left_out, caps)
    if left_out.counts:
        listed = sort_findings([*listed, _capped(left_out, caps)])
    return CheckResult(
        loaded=loaded,
        standard=standard,
        as_of=as_of,
        start=start,
        end=end,
        findings=listed,
        waived=sorted(waived, key=lambda pair: pair[0].sort_key),
        notes=notes + sorted(ctx.notes),
    )


def _calendar(root: Path, loaded: Loaded, tree) -> tuple[Calendar, list[Finding]]:
    """The branch's working-day calendar (holidays.yaml and its packs' dates over chinesecalendar);
    a broken holidays.yaml is a finding and the package's calendar is used instead."""
    from .format.catalogue import make_finding
    from .model.findings import Source

    try:
        return Calendar.for_branch(root, loaded.branch, tree=tree), []
    except HolidayFileError as exc:
        if exc.path != HOLIDAYS_FILE:
            return Calendar(), []  # a pack's dates: the standard reports them (standard.bad-pack)
        return Calendar(), [make_finding("format.bad-value", exc.detail, Source(exc.path, exc.line), exc.hint)]


def _attach_history(ctx: Context, root: Path, at: str | None, witness: list[str], notes: list[str]) -> None:
    """Give the audit rules the git history, or say once why there is none."""
    from .errors import ZhibuError
    from .history.trail import read_trail
    from .store import gitrepo

    try:
        repo = gitrepo.state(root)
        if repo is None or repo.head is None:
            notes.append("不是 git 仓库（或还没有提交）：未检查留痕（audit.*）。")
            return
        if repo.prefix:
            # The branch is a folder of a bigger repository (as sample-branch/ is of zhibu's own):
            # that history records more than this branch's record keeping.
            notes.append(
                f"支部目录是另一个 git 仓库中的子目录（{repo.prefix.rstrip('/')}）：未按该仓库的历史检查留痕（audit.*）。"
            )
            return
        ctx.audit = read_trail(root, at or "HEAD", work_tree=at is None, repo=repo)
    except ZhibuError as exc:
        notes.append(f"无法读取 git 历史，未检查留痕：{exc.message}" + (f"（{exc.hint}）" if exc.hint else ""))
        return
    notes.extend(ctx.audit.notes)
    head = ctx.audit.head
    for close in ctx.audit.closes:
        ctx.witnessed.append((close.commit, f"关账标记 {close.tag} ", not gitrepo.is_ancestor(root, close.commit, head)))
    for line in witness:
        parts = line.split()
        if not parts or line.lstrip().startswith("#"):
            continue
        sha = parts[0]
        when = parts[1] if len(parts) > 1 else ""
        ctx.witnessed.append((sha, f"见证（{when}）", not gitrepo.is_ancestor(root, sha, head)))
    if any(rule.kind == "signed-commits" for rule in ctx.rules.values()):
        # Verifying costs a git call per commit: only when the standard asks for signatures.
        try:
            ctx.signatures = tuple(
                (sha, verdict, author, when) for sha, verdict, author, when, _s in gitrepo.signatures(root, head)
            )
        except ZhibuError as exc:
            ctx.signatures_unread = exc.message + (f"（{exc.hint}）" if exc.hint else "")


def _restamp(finding: Finding, rules: dict[str, Rule]) -> Finding:
    """A loader or layering finding under the severity, layer and pack its rule now has."""
    rule = rules.get(finding.code)
    if rule is None or (rule.severity == finding.severity and rule.pack == finding.pack):
        return finding
    severity = max(rule.severity, finding.severity) if rule.pack != "B" else finding.severity
    return replace(finding, severity=severity, layer=rule.layer, pack=rule.pack, source=rule.source)


def _capped(left_out: LeftOut, caps: Caps) -> Finding:
    """The one finding that says how many were left out, as severe as the worst of them."""
    from .format.catalogue import make_finding
    from .model.findings import Source

    counts = sorted(left_out.counts.items(), key=lambda item: (-item[1], item[0]))
    shown = "、".join(f"{code} {count} 条" for code, count in counts[:5]) + ("等" if len(counts) > 5 else "")
    finding = make_finding(
        "internal.findings-capped",
        f"另有 {left_out.total} 条发现未列出（{shown}）：每个规则码最多列出 {caps.per_code} 条，合计最多 {caps.total} 条，错误优先",
        Source(*left_out.first),
    )
    return finding if left_out.worst is None or left_out.worst <= finding.severity else finding.with_severity(left_out.worst)


def _crash(rule: Rule, exc: Exception) -> Finding:
    from .format.catalogue import make_finding

    where = traceback.extract_tb(exc.__traceback__)[-1]
    finding = make_finding(
        "internal.rule-crashed",
        # The function, not the line: the message stays the same while the code moves.
        f"规则 {rule.code} 运行出错：{type(exc).__name__}: {exc}（{Path(where.filename).name} 中的 {where.name}）",
    )
    return replace(finding, layer=rule.layer, pack=rule.pack)


def _active_waivers(loaded: Loaded, standard: Standard, as_of: dt.date) -> tuple[list[Waiver], list[Finding]]:
    from .format.catalogue import make_finding

    active, findings = [], []
    branch = loaded.branch
    known = {m.name for m in branch.members} | set(branch.config.groups) | {a.name for a in branch.applicants}
    for waiver in loaded.branch.waivers:
        if waiver.code not in standard.rules:
            findings.append(
                make_finding(
                    "format.bad-value",
                    f"例外登记的规则码 {waiver.code} 不存在",
                    waiver.source.at("code"),
                    "用 zhibu standard show 查看规则码。",
                )
            )
            continue
        if expired(waiver, as_of):
            finding = make_finding(
                "standard.waiver-expired",
                f"{waiver.code} 在 {waiver.period} 的例外已于 {waiver.expires} 过期，不再豁免。",
                waiver.source.at("expires"),
                period=waiver.period,
            )
            findings.append(_restamp(finding, standard.rules))
            continue
        if waiver.subject is not None and waiver.subject not in known:
            findings.append(
                make_finding(
                    "format.bad-value",
                    f"例外登记的 subject“{waiver.subject}”不是名册中的党员，也不是党小组或入党申请人，这条例外不豁免任何发现",
                    waiver.source.at("subject"),
                    "核对姓名写法（与 members.yaml 一致）；豁免全支部的发现时不写 subject。",
                )
            )
            continue
        active.append(waiver)
    return active, findings


def _dedupe(findings: list[Finding]) -> list[Finding]:
    seen, out = set(), []
    for finding in findings:
        key = (finding.code, finding.path, finding.line, finding.period, finding.subject, finding.message)
        if key not in seen:
            seen.add(key)
            out.append(finding)
    return out
