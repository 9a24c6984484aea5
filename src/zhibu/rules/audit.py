"""留痕 rules: read from git history through the check's :class:`~zhibu.history.trail.Trail`.

Outside a git repository the context has no trail and these rules say nothing
(the check reports that once, as a note, not as findings).
"""

from __future__ import annotations

import datetime as dt

from ..model.findings import Source
from ..model.periods import Period
from .registry import Context, Param, Rule, kind

_CHANGE_WORDS = {"M": "修改", "A": "新增", "D": "删除", "R": "改名", "??": "新建（未纳入 git）", "MM": "修改"}


def _status_word(status: str) -> str:
    if status == "??":
        return "新建，尚未纳入 git"
    if "D" in status:
        return "已删除，尚未提交"
    if "R" in status:
        return "已改名，尚未提交"
    if "A" in status:
        return "已暂存，尚未提交"
    return "已修改，尚未提交"


@kind(
    "late-record",
    "记录首次提交到 git 的日期比会议日期晚太多（按整个仓库的一次 git log 判断，改名会被跟踪）。",
    params=(Param("days", "down", "int", "会后多少天内应当提交"),),
    required=("days",),
)
def late_record(ctx: Context, rule: Rule):
    trail = ctx.audit
    if trail is None or trail.shallow:
        return
    limit = rule.param("days")
    for record in ctx.records_in_range():
        commit = trail.first_added.get(record.source.path)
        if commit is None:
            continue  # not committed yet: audit.uncommitted says so
        committed = commit.committed.date()
        lag = (committed - record.date).days
        if lag > limit:
            yield ctx.finding(
                rule,
                f"{record.type_label} {record.date} 的记录于 {committed} 才由 {commit.author} 首次提交，比会议晚 {lag} 天（提交时间只是旁证）。",
                record.source.at(),
                period=Period.containing("month", record.date).label,
                subject=commit.author,
            )


@kind("uncommitted", "工作区中有未提交的记录改动。")
def uncommitted(ctx: Context, rule: Rule):
    trail = ctx.audit
    if trail is None:
        return
    from ..format.kinds import is_audited

    for status, path in trail.uncommitted:
        if is_audited(path):
            yield ctx.finding(rule, f"{path} {_status_word(status)}。", Source(path))


@kind("edited-after-close", "已关账期间的记录在关账后又被修改（提交说明中写明“补正原因：…”的只列出、不计为问题）。")
def edited_after_close(ctx: Context, rule: Rule):
    trail = ctx.audit
    if trail is None:
        return
    records = {r.source.path: r for r in ctx.branch.records}
    for close in trail.closes:
        after = trail.after.get(close.tag)
        if not after:
            continue
        for path, changes in sorted(trail.lineage.items()):
            record = records.get(path)
            if not path.startswith("records/"):
                continue
            when = record.date if record else _date_in_name(path)
            if when is None or not close.period.contains(when) or not (ctx.start <= when <= ctx.end):
                continue
            for commit, change in changes:
                if commit.sha not in after:
                    continue
                reason = trail.reason_of(commit)
                verb = _CHANGE_WORDS.get(change.status, "修改")
                text = (
                    f"{commit.committed.date()} {commit.author} {verb}了已于 "
                    f"{close.tagged.date() if close.tagged else '（未知日期）'} 关账的{close.period.chinese}的记录"
                )
                if reason:
                    ctx.notes.append(f"{path}：{text}，补正原因：{reason}（{commit.sha[:7]}）")
                    continue
                yield ctx.finding(
                    rule,
                    f"{text}，提交说明中没有“补正原因：”（{commit.sha[:7]}）。",
                    Source(path) if record is None else record.source.at(),
                    period=close.period.label,
                    subject=commit.author,
                )


def _date_in_name(path: str) -> dt.date | None:
    name = path.rsplit("/", 1)[-1]
    try:
        return dt.date.fromisoformat(name[:10])
    except ValueError:
        return None


@kind("history-rewritten", "上级记录过（见证）或本支部关账时标记的提交，已不在当前历史中。")
def history_rewritten(ctx: Context, rule: Rule):
    trail = ctx.audit
    if trail is None:
        return
    for sha, label, rewritten in ctx.witnessed:
        if rewritten:
            yield ctx.finding(
                rule,
                f"{label}记录的提交 {sha[:12]} 已不是当前历史的祖先：历史被改写（rebase、reset 或强制推送）。",
                subject=sha[:12],
            )


@kind(
    "signed-commits",
    "自某日起的提交都应签名，且 git 能验证签名（由 T 或 X 规则包启用）。",
    params=(Param("since", "fixed", "date", "自哪天起要求签名"),),
    instantiable=True,
)
def signed_commits(ctx: Context, rule: Rule):
    trail = ctx.audit
    if trail is None:
        return
    since = rule.param("since")
    unverified = 0
    if ctx.signatures_unread:  # the committee's verifier is misconfigured: say so, judge nothing
        ctx.notes.append(f"{rule.code}：未检查签名：{ctx.signatures_unread}")
        return
    for sha, verdict, author, when in ctx.signatures:
        if since and when.date() < since:
            continue
        if verdict == UNVERIFIED:  # signed, but the committee configured no verifier: not judged
            unverified += 1
        elif verdict not in ("G", "U"):
            yield ctx.finding(
                rule,
                f"{when.date()} {author} 的提交 {sha[:12]} {SIGNATURE_WORDS.get(verdict, '签名无法验证')}。",
                subject=sha[:12],
            )
    if unverified:
        ctx.notes.append(f"{rule.code}：{unverified} 个提交带有签名，但{NO_VERIFIER}")


UNVERIFIED = "?"  # gitrepo.UNVERIFIED, without importing git access into the rules
NO_VERIFIER = "本机没有配置签名验证程序，未验证（设置 ZHIBU_GPG_PROGRAM 或 ZHIBU_SSH_ALLOWED_SIGNERS，见 docs/security.md）。"


SIGNATURE_WORDS = {
    "N": "没有签名",
    "B": "签名无效",
    "X": "签名已过期",
    "Y": "签名的密钥已过期",
    "R": "签名的密钥已被吊销",
    "E": "签名无法验证（缺少公钥）",
    UNVERIFIED: "带有签名，未验证",
}
