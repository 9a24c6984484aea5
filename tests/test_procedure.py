"""The 发展党员 procedure as data (data/procedure.yaml) and a person's timeline on it (standard/procedure.py)."""

from __future__ import annotations

import copy
import datetime as dt
from importlib import resources

import pytest
from conftest import SAMPLE

from zhibu.format.load import load_branch
from zhibu.model.branch import Applicant
from zhibu.model.vocabulary import RECORD_TYPES, RESOLUTION_KINDS
from zhibu.standard import procedure as P
from zhibu.store.yamlio import parse

D = dt.date
AS_OF = D(2026, 1, 5)


@pytest.fixture(scope="module")
def proc() -> P.Procedure:
    return P.procedure()


@pytest.fixture(scope="module")
def raw() -> dict:
    text = resources.files("zhibu").joinpath("data/procedure.yaml").read_text(encoding="utf-8")
    return parse(text).data


@pytest.fixture(scope="module")
def sample():
    return load_branch(SAMPLE).branch


def refused(raw: dict, change) -> P.ProcedureError:
    data = copy.deepcopy(raw)
    change(data)
    with pytest.raises(P.ProcedureError) as caught:
        P.parse_procedure(data)
    return caught.value


def step_of(data: dict, key: str) -> dict:
    return next(s for s in data["steps"] if s["key"] == key)


# --- the data -------------------------------------------------------------------


def test_the_five_stages_in_order(proc):
    assert [(s.key, s.name) for s in proc.stages] == [
        ("applicant", "入党申请人"),
        ("activist", "入党积极分子"),
        ("candidate", "发展对象"),
        ("probationary", "预备党员"),
        ("full", "转正"),
    ]
    assert {s.stage for s in proc.steps} == {s.key for s in proc.stages}


def test_every_step_the_issue_lists_is_there_in_order(proc):
    # Issue 16, item 1, in the order it names them.
    wanted = [
        ("application", "递交入党申请书"),
        ("talk-after-application", "党组织派人谈话"),
        ("activist-recommendation", "党员推荐、群团组织推优"),
        ("activist-decision", "支委会研究确定入党积极分子"),
        ("activist-filing", "入党积极分子报上级党委备案"),
        ("contacts-assigned", "指定培养联系人"),
        ("activist-review", "党支部考察入党积极分子（每半年一次）"),
        ("thought-reports", "本人向党组织递交思想汇报（每季度一次）"),
        ("opinions-hearing", "听取党小组、培养联系人、党员和群众意见（座谈会）"),
        ("candidate-decision", "支委会讨论确定发展对象"),
        ("candidate-filing", "发展对象报上级党委备案"),
        ("sponsors", "确定两名入党介绍人"),
        ("political-review", "政治审查"),
        ("training", "短期集中培训"),
        ("committee-review", "支委会审查"),
        ("pre-review", "上级党委预审"),
        ("publicity", "发展对象公示"),
        ("application-form", "填写入党志愿书"),
        ("admission-meeting", "支部大会讨论接收预备党员"),
        ("committee-talk", "上级党委派人谈话"),
        ("admission-approval", "上级党委审批"),
        ("admission-filing", "报上级党委组织部门备案"),
        ("placement", "编入党支部和党小组"),
        ("oath", "入党宣誓"),
        ("probation-education", "预备期教育考察"),
        ("conversion-application", "本人提出书面转正申请"),
        ("conversion-meeting", "支部大会讨论转正"),
        ("conversion-approval", "上级党委审批转正"),
        ("archive", "入党材料归档"),
    ]
    names = {s.key: s.name for s in proc.steps}
    assert [(k, names.get(k)) for k, _ in wanted] == wanted
    positions = [proc.keys.index(k) for k, _ in wanted]
    assert positions == sorted(positions)


def test_keys_are_stable_ascii(proc):
    for step in proc.steps:
        assert step.key.isascii() and step.key == step.key.lower()
    assert len(set(proc.keys)) == len(proc.keys)


def test_every_step_has_a_known_actor_and_source_text(proc):
    for step in proc.steps:
        assert step.actor in P.ACTORS, step.key
        assert step.fallback_actor in (None, "支部大会"), step.key
        assert step.sources, step.key
        for source in step.sources:
            assert len(source.text) >= 10, step.key
            assert source.url.startswith(("http://", "https://")), step.key
            assert source.status in P.SOURCE_STATUSES
            if source.status == "quoted":
                assert source.article and source.article.startswith("第"), step.key
            elif source.status != "local":
                assert source.note, step.key  # an unverified quotation says why


def test_the_articles_the_issue_rests_on_are_quoted(proc):
    def cited(key):
        return {(s.document, s.article) for s in proc.step(key).sources}

    xz = "中国共产党发展党员工作细则"
    assert (xz, "第八条") in cited("activist-decision")
    assert (xz, "第十一条") in cited("activist-review")
    assert (xz, "第十三条") in cited("candidate-decision")
    assert (xz, "第十四条") in cited("sponsors")
    assert (xz, "第十七条") in cited("training")
    assert (xz, "第十九条") in cited("pre-review")
    assert (xz, "第二十条") in cited("admission-meeting")
    assert (xz, "第三十二条") in cited("conversion-meeting")
    assert (xz, "第三十四条") in cited("conversion-approval")
    assert (xz, "第三十七条") in cited("archive")
    assert "一个月内" in proc.step("talk-after-application").sources[0].text
    assert "不少于三天" in proc.step("training").sources[0].text
    assert "三个月内" in proc.step("admission-approval").sources[0].text


def test_dependencies_form_an_order_without_cycles(proc):
    index = {k: i for i, k in enumerate(proc.keys)}
    for step in proc.steps:
        for dep in step.after:
            assert index[dep] < index[step.key], (step.key, dep)
        if step.recurring:
            assert not step.after
            start, until = step.during
            assert index[start] < index[step.key] and until in index
    assert P.find_cycle({s.key: s.after for s in proc.steps}) is None
    # Every step but the first depends on something; only the first has no way in.
    assert [s.key for s in proc.steps if not s.after and not s.recurring] == ["application"]
    # Everything leads to the archive, but the higher committee's filing of the approval,
    # which a later stage implies (test_a_person_past_a_stage_was_through_all_of_it).
    assert proc.ancestors("archive") == {s.key for s in proc.steps if not s.recurring} - {"archive", "admission-filing"}


def test_find_cycle():
    assert P.find_cycle({"a": [], "b": ["a"], "c": ["b"]}) is None
    assert P.find_cycle({"a": ["c"], "b": ["a"], "c": ["b"]}) == ["a", "c", "b", "a"]
    assert P.find_cycle({"a": ["a"]}) == ["a", "a"]


def test_severity_follows_what_the_text_says(proc):
    for step in proc.steps:
        assert step.severity == P.SAYS[step.says], step.key
        for cond in step.conditions:
            assert cond.severity == P.SAYS[cond.says], cond.id
    sev = {c.id: c.severity for c in proc.conditions()}
    assert sev["talk-after-application.within"] == "error"  # 应当在一个月内
    assert sev["candidate-decision.not-before"] == "error"  # 一年以上
    assert sev["training.duration"] == "warning"  # 一般不少于三天
    assert sev["admission-meeting.not-leaving"] == "warning"  # 一般不办理
    assert sev["admission-approval.within"] == "warning"  # 三个月，特殊情况可延长
    assert sev["admission-approval.within-extended"] == "error"  # 不得超过六个月
    assert sev["conversion-approval.within"] == "error"
    assert sev["conversion-meeting.timely"] == "warning"  # 及时: the month is this standard's reading
    assert sev["thought-reports.every"] == "warning"  # local rules only
    assert proc.step("political-review").severity == "error"  # 不能发展入党


def test_time_limits_are_parameters(proc):
    def params(cid):
        return dict(proc.condition(cid).params)

    assert params("talk-after-application.within") == {"months": 1}
    assert proc.condition("talk-after-application.within").anchor == "application"
    assert params("candidate-decision.not-before") == {"years": 1}
    assert proc.condition("candidate-decision.not-before").anchor == "activist-decision"
    assert params("training.duration") == {"min_days": 3, "min_hours": 24}
    assert params("admission-approval.within") == {"months": 3}
    assert params("admission-approval.within-extended") == {"months": 6}
    assert proc.condition("admission-approval.within").anchor == "admission-meeting"
    assert params("conversion-approval.within") == {"months": 3}
    assert proc.condition("conversion-approval.within").anchor == "conversion-meeting"
    assert params("conversion-meeting.not-before") == {"years": 1}
    assert params("conversion-meeting.timely") == {"years": 1, "months": 1}
    assert proc.condition("conversion-meeting.timely").extendable
    assert proc.condition("conversion-meeting.not-before").extendable
    assert params("activist-review.every") == {"period": "half"}
    assert params("contact-review.every") == {"period": "half"}
    assert params("thought-reports.every") == {"period": "quarter"}
    assert params("contacts-assigned.people") == {"min": 1, "max": 2}
    assert params("sponsors.people") == {"min": 2, "max": 2}
    assert proc.condition("sponsors.people").status == "正式党员"
    assert params("admission-meeting.not-leaving") == {"months": 3}


def test_evidence_names_record_types_and_resolution_kinds(proc):
    meetings = {}
    for step in proc.steps:
        for ev in step.evidence:
            assert ev.kind in P.EVIDENCE_KINDS
            if ev.kind == "meeting":
                assert ev.type in RECORD_TYPES
                assert ev.resolution is None or ev.resolution in RESOLUTION_KINDS
                meetings[step.key] = (ev.type, ev.resolution)
    assert meetings["activist-decision"] == ("支部委员会", "确定入党积极分子")
    assert meetings["candidate-decision"] == ("支部委员会", "确定发展对象")
    assert meetings["admission-meeting"] == ("支部党员大会", "接收预备党员")
    assert meetings["conversion-meeting"] == ("支部党员大会", "预备党员转正")


def test_the_six_dates_of_format_1_map_onto_steps(proc):
    mapping = {f: (s.key, s.legacy_means) for f, s in proc.by_legacy().items()}
    assert mapping == {
        "applied": ("application", "step"),
        "talked": ("talk-after-application", "step"),
        "activist": ("activist-decision", "step"),
        "candidate": ("candidate-decision", "step"),
        "admitted": ("admission-meeting", "step"),
        "full": ("conversion-approval", "outcome"),
    }


def test_stages_are_entered_once_in_order(proc):
    entered = [(s.enters, s.key) for s in proc.steps if s.enters]
    assert entered == [
        ("applicant", "application"),
        ("activist", "activist-decision"),
        ("candidate", "candidate-decision"),
        ("probationary", "admission-approval"),
        ("full", "conversion-approval"),
    ]


# --- validation -----------------------------------------------------------------


def test_the_shipped_data_parses_again(raw, proc):
    assert P.parse_procedure(copy.deepcopy(raw)) == proc


def test_refuses_an_unknown_actor(raw):
    err = refused(raw, lambda d: step_of(d, "training").update(actor="党校"))
    assert any("training" in p and "党校" in p for p in err.problems)


def test_refuses_a_dependency_on_a_later_step(raw):
    err = refused(raw, lambda d: step_of(d, "application").update(after=["archive"]))
    assert any("application" in p and "排在后面" in p for p in err.problems)


def test_refuses_a_dependency_on_itself_and_unknown_steps(raw):
    err = refused(raw, lambda d: step_of(d, "oath").update(after=["oath", "nowhere"]))
    assert any("不能依赖自己" in p for p in err.problems)
    assert any("nowhere" in p and "未知" in p for p in err.problems)


def test_refuses_a_severity_the_text_does_not_support(raw):
    def loosen(d):
        step_of(d, "talk-after-application")["conditions"][0]["severity"] = "warning"

    err = refused(raw, loosen)
    assert any("talk-after-application.within" in p and "应当" in p for p in err.problems)


def test_refuses_a_step_without_source_text(raw):
    def strip(d):
        step_of(d, "sponsors")["sources"][0]["text"] = " "

    err = refused(raw, strip)
    assert any("sponsors" in p and "原文" in p for p in err.problems)


def test_refuses_a_quotation_without_its_article(raw):
    def strip(d):
        step_of(d, "sponsors")["sources"][0]["article"] = None

    err = refused(raw, strip)
    assert any("sponsors" in p and "条号" in p for p in err.problems)


def test_refuses_bad_conditions(raw):
    def spoil(d):
        cond = step_of(d, "talk-after-application")["conditions"][0]
        cond["months"] = "一个月"
        step_of(d, "training")["conditions"][0]["kind"] = "sometimes"
        step_of(d, "activist-review")["conditions"][0]["period"] = "fortnight"
        step_of(d, "admission-approval")["conditions"][0]["from"] = "archive"

    err = refused(raw, spoil)
    text = "\n".join(err.problems)
    assert "talk-after-application.within 的 months 应为非负整数" in text
    assert "training 的条件应有英文 key 和 kind" in text
    assert "activist-review.every 的 period" in text
    assert "admission-approval.within 的 from 'archive'" in text


def test_refuses_a_duplicate_key_and_a_step_out_of_its_stage(raw):
    def spoil(d):
        d["steps"].append(copy.deepcopy(step_of(d, "oath")))
        step_of(d, "archive")["stage"] = "applicant"

    err = refused(raw, spoil)
    assert any("oath 重复" in p for p in err.problems)
    assert any("archive" in p and "阶段" in p for p in err.problems)


def test_every_problem_is_reported_at_once(raw):
    def spoil(d):
        step_of(d, "training").update(actor="党校")
        step_of(d, "oath").update(stage="nowhere")
        d["version"] = 2

    err = refused(raw, spoil)
    assert len(err.problems) >= 3
    assert "发展党员程序数据有误" in err.message


# --- a pack may only tighten ----------------------------------------------------


def test_a_pack_may_tighten_the_parameters(proc):
    tight = proc.tightened(
        {
            "admission-approval.within": {"months": 2},
            "candidate-decision.not-before": {"years": 2},
            "thought-reports.every": {"period": "month"},
            "training.duration": {"min_days": 5, "min_hours": 40},
        }
    )
    assert tight.condition("admission-approval.within").param("months") == 2
    assert tight.condition("candidate-decision.not-before").param("years") == 2
    assert tight.condition("thought-reports.every").param("period") == "month"
    assert tight.condition("training.duration").params == (("min_days", 5), ("min_hours", 40))
    # The built-in procedure is unchanged.
    assert proc.condition("admission-approval.within").param("months") == 3


def test_a_pack_may_not_loosen_them(proc):
    with pytest.raises(P.ProcedureError) as caught:
        proc.tightened(
            {
                "admission-approval.within": {"months": 4},
                "candidate-decision.not-before": {"years": 0},
                "activist-review.every": {"period": "year"},
                "sponsors.people": {"min": 1},
                "talk-after-application.within": {"days": 20},
                "no-such.step": {"months": 1},
                "training.duration": {"min_days": True},
                "conversion-meeting.not-before": {"years": 2},
            }
        )
    text = "\n".join(caught.value.problems)
    assert "admission-approval.within.months：只能收紧（不大于 3），不能改为 4" in text
    assert "candidate-decision.not-before.years：只能收紧（不小于 1），不能改为 0" in text
    assert "activist-review.every.period：只能收紧" in text
    assert "sponsors.people.min：只能收紧（不小于 2）" in text
    assert "talk-after-application.within 没有参数 days" in text
    assert "没有条件 no-such.step" in text
    assert "training.duration.min_days：应为非负整数" in text
    assert "conversion-meeting.not-before.years：预备期为一年" in text
    assert proc.tightened({"conversion-meeting.timely": {"months": 0}}).condition("conversion-meeting.timely").params == (
        ("years", 1),
        ("months", 0),
    )


def test_the_timeline_uses_tightened_limits(proc):
    assert proc.tightened({}) == proc
    two_months = proc.tightened({"admission-approval.within": {"months": 2}})
    t = P.timeline(two_months, {"admission-meeting": D(2025, 10, 12)})
    assert t.state("admission-approval").due == D(2025, 12, 12)


# --- calendar arithmetic --------------------------------------------------------


@pytest.mark.parametrize(
    "day, kwargs, expected",
    [
        (D(2026, 1, 31), {"months": 1}, D(2026, 2, 28)),  # 31 January + 1 month: end of February
        (D(2024, 1, 31), {"months": 1}, D(2024, 2, 29)),  # in a leap year, the 29th
        (D(2026, 1, 30), {"months": 1}, D(2026, 2, 28)),
        (D(2026, 2, 28), {"months": 1}, D(2026, 3, 28)),  # not the end of March
        (D(2025, 11, 30), {"months": 3}, D(2026, 2, 28)),
        (D(2025, 12, 31), {"months": 6}, D(2026, 6, 30)),
        (D(2024, 2, 29), {"years": 1}, D(2025, 2, 28)),  # one year after 29 February
        (D(2023, 3, 1), {"years": 1}, D(2024, 3, 1)),  # across 29 February: 366 days
        (D(2023, 2, 28), {"years": 1}, D(2024, 2, 28)),  # not the 29th
        (D(2024, 2, 29), {"years": 4}, D(2028, 2, 29)),
        (D(2026, 1, 31), {"months": 1, "days": 1}, D(2026, 3, 1)),
        (D(2024, 2, 29), {"years": 1, "months": 1}, D(2025, 3, 28)),  # the year first, then the month
        (D(2025, 1, 31), {"years": 1, "months": 1}, D(2026, 2, 28)),
    ],
)
def test_shift_is_calendar_arithmetic(day, kwargs, expected):
    assert P.shift(day, **kwargs) == expected


def test_talk_due_one_calendar_month_after_the_application(proc):
    assert P.timeline(proc, {"application": D(2026, 1, 31)}).state("talk-after-application").due == D(2026, 2, 28)
    assert P.timeline(proc, {"application": D(2024, 1, 31)}).state("talk-after-application").due == D(2024, 2, 29)
    assert P.timeline(proc, {"application": D(2026, 3, 15)}).next.due == D(2026, 4, 15)


def test_candidate_earliest_one_calendar_year_after_the_activist(proc):
    def earliest(activist):
        dates = {"application": D(2020, 1, 1), "talk-after-application": D(2020, 1, 5), "activist-decision": activist}
        return P.timeline(proc, dates).state("candidate-decision").earliest

    assert earliest(D(2024, 2, 29)) == D(2025, 2, 28)
    assert earliest(D(2023, 3, 1)) == D(2024, 3, 1)
    assert earliest(D(2025, 4, 9)) == D(2026, 4, 9)


def test_approval_within_three_months_of_the_meeting_and_six_at_most(proc):
    t = P.timeline(proc, {"admission-meeting": D(2025, 11, 30)})
    assert t.state("admission-approval").due == D(2026, 2, 28)
    assert P.shift(D(2025, 11, 30), months=proc.condition("admission-approval.within-extended").param("months")) == D(2026, 5, 30)
    # The talk comes before the approval, so it is due by the approval's deadline too.
    assert t.next.step.key == "committee-talk" and t.next.due == D(2026, 2, 28)


def test_conversion_not_before_the_probation_ends(proc):
    t = P.timeline(proc, {"admission-meeting": D(2024, 2, 29)}, known={"admission-approval"})
    assert t.probation_end == D(2025, 2, 28)
    assert t.state("conversion-meeting").earliest == D(2025, 2, 28)
    extended = P.timeline(proc, {"admission-meeting": D(2024, 6, 25)}, known={"admission-approval"}, extended_to=D(2025, 12, 25))
    assert extended.probation_end == D(2025, 12, 25)
    assert extended.state("conversion-meeting").earliest == D(2025, 12, 25)
    assert extended.state("conversion-meeting").due == D(2026, 1, 25)  # 及时: within a month of the end
    assert t.state("conversion-meeting").due == D(2025, 3, 28)


def test_conversion_approval_due_three_months_after_the_meeting(proc):
    t = P.timeline(proc, {"admission-meeting": D(2024, 6, 25), "conversion-meeting": D(2025, 6, 25)})
    assert t.state("conversion-approval").status == P.AVAILABLE
    assert t.state("conversion-approval").due == D(2025, 9, 25)


# --- timelines ------------------------------------------------------------------


def test_a_later_step_implies_the_steps_before_it(proc):
    t = P.timeline(proc, {"admission-meeting": D(2025, 10, 12)})
    assert t.stage.key == "candidate"
    for key in ("application", "political-review", "training", "pre-review", "publicity", "application-form"):
        assert t.state(key).status == P.IMPLIED and t.state(key).date is None
    assert t.state("admission-meeting").status == P.DONE
    assert [s.step.key for s in t.available] == ["committee-talk"]
    assert t.state("admission-approval").status == P.WAITING


def test_a_person_past_a_stage_was_through_all_of_it(proc):
    t = P.timeline(proc, {"admission-meeting": D(2024, 6, 25)}, known={"conversion-approval"})
    assert t.stage.key == "full"
    assert t.state("admission-filing").status == P.IMPLIED  # nothing depends on it, but the stage is over
    assert [s.step.key for s in t.available] == ["archive"]


def test_running_steps(proc):
    dates = {"application": D(2024, 10, 15), "talk-after-application": D(2024, 11, 5), "activist-decision": D(2025, 4, 9)}
    t = P.timeline(proc, dates, as_of=AS_OF)
    assert t.state("activist-review").status == P.ONGOING
    assert t.state("activist-review").period_due == D(2026, 6, 30)  # the half-year's end
    assert t.state("thought-reports").period_due == D(2026, 3, 31)  # the quarter's end
    assert t.state("probation-education").status == P.WAITING
    later = P.timeline(proc, {**dates, "candidate-decision": D(2026, 4, 20)}, as_of=D(2026, 5, 1))
    assert later.state("activist-review").status == P.CLOSED
    assert later.state("thought-reports").status == P.ONGOING  # until the conversion meeting
    assert P.timeline(proc, dates).state("activist-review").period_due is None  # no as-of date


def test_an_unknown_step_is_a_programming_error(proc):
    with pytest.raises(KeyError):
        P.timeline(proc, {"applied": D(2026, 1, 1)})


def test_nothing_recorded(proc):
    t = P.timeline(proc, {})
    assert t.stage.key == "applicant"
    assert t.next.step.key == "application" and t.next.due is None
    assert not t.done


def _states(t: P.Timeline) -> dict[str, tuple]:
    return {s.step.key: (s.status, s.date, s.due, s.earliest) for s in t.steps}


def test_sample_development_ledger_huang_li(sample):
    person = next(a for a in sample.applicants if a.name == "黄丽")
    t = P.person_timeline(person, as_of=AS_OF)
    s = _states(t)
    assert t.stage.name == "转正"
    assert s["application"] == (P.DONE, D(2022, 9, 20), None, None)
    assert s["talk-after-application"] == (P.DONE, D(2022, 10, 12), None, None)
    assert s["activist-decision"] == (P.DONE, D(2023, 3, 10), None, None)
    assert s["candidate-decision"] == (P.DONE, D(2024, 3, 22), None, None)
    assert s["admission-meeting"] == (P.DONE, D(2024, 6, 25), None, None)
    assert s["conversion-approval"] == (P.IMPLIED, None, None, None)  # `full` is the 转正日期, not the approval's day
    assert s["conversion-meeting"] == (P.IMPLIED, None, None, None)
    assert t.full_since == D(2025, 6, 25)
    assert t.probation_end == D(2025, 6, 25)
    assert t.next.step.key == "archive"
    assert [k for k, v in s.items() if v[0] == P.CLOSED] == [
        "activist-review",
        "contact-review",
        "thought-reports",
        "probation-education",
    ]
    # With the branch: the 2025-06-25 支部党员大会 decided the conversion.
    with_branch = _states(P.person_timeline(person, sample, as_of=AS_OF))
    assert with_branch["conversion-meeting"] == (P.DONE, D(2025, 6, 25), None, None)


def test_sample_development_ledger_sun_yue(sample):
    person = next(a for a in sample.applicants if a.name == "孙悦")
    t = P.person_timeline(person, as_of=AS_OF)
    s = _states(t)
    assert t.stage.name == "发展对象"  # the ledger alone does not say the higher committee approved
    assert s["admission-meeting"] == (P.DONE, D(2025, 10, 12), None, None)
    assert s["committee-talk"] == (P.AVAILABLE, None, D(2026, 1, 12), None)
    assert s["admission-approval"] == (P.WAITING, None, D(2026, 1, 12), None)
    assert s["conversion-meeting"] == (P.WAITING, None, D(2026, 11, 12), D(2026, 10, 12))
    assert t.next.step.key == "committee-talk" and t.next.due == D(2026, 1, 12)
    assert t.probation_end == D(2026, 10, 12) and t.full_since is None
    assert t.state("thought-reports").status == P.ONGOING and t.state("thought-reports").period_due == D(2026, 3, 31)
    # The roster lists her as 预备党员 admitted here: the approval happened.
    b = P.person_timeline(person, sample, as_of=AS_OF)
    assert b.stage.name == "预备党员"
    assert b.state("admission-approval").status == P.IMPLIED
    assert [x.step.key for x in b.available] == ["placement", "oath", "conversion-application"]
    # Each must come before the conversion meeting, due within a month of the probation's end.
    assert {x.due for x in b.available} == {D(2026, 11, 12)}
    assert b.state("probation-education").status == P.ONGOING


def test_sample_development_ledger_he_xin(sample):
    person = next(a for a in sample.applicants if a.name == "何欣")
    t = P.person_timeline(person, as_of=AS_OF)
    s = _states(t)
    assert t.stage.name == "入党积极分子"
    assert s["activist-recommendation"] == (P.IMPLIED, None, None, None)
    assert s["activist-decision"] == (P.DONE, D(2025, 4, 9), None, None)
    assert [x.step.key for x in t.available] == ["activist-filing", "contacts-assigned", "opinions-hearing"]
    assert s["candidate-decision"] == (P.WAITING, None, None, D(2026, 4, 9))
    assert t.next.step.key == "activist-filing" and t.next.due is None
    assert P.person_timeline(person, sample, as_of=AS_OF) == t  # the 2025-04-09 支委会 says the same


def test_sample_development_ledger_deng_chen(sample):
    person = next(a for a in sample.applicants if a.name == "邓晨")
    t = P.person_timeline(person, as_of=AS_OF)
    assert t.stage.name == "入党申请人"
    assert [x.step.key for x in t.done] == ["application", "talk-after-application"]
    assert t.next.step.key == "activist-recommendation"
    assert all(s.status == P.WAITING for s in t.steps[3:] if not s.step.recurring)


def test_branch_dates_from_records_and_roster(sample):
    dates, known = P.branch_dates(sample, "孙悦")
    # The 2025-06-20 支委会's 确定发展对象 resolution names her only in its text, and the model
    # reads the person from the text for the PERSONAL_KINDS only (a `person:` field would do).
    assert dates == {"admission-meeting": D(2025, 10, 12)}
    assert known == {"admission-approval"}
    dates, known = P.branch_dates(sample, "黄丽")
    assert dates["conversion-meeting"] == D(2025, 6, 25)
    assert known == {"admission-approval", "conversion-approval"}
    assert P.branch_dates(sample, "邓晨") == ({}, frozenset())


def test_the_ledger_comes_before_the_records(sample):
    # A ledger date that differs from the record keeps the ledger's (the rules will point at the difference).
    person = Applicant("何欣", applied=D(2024, 10, 15), talked=D(2024, 11, 5), activist=D(2025, 4, 1))
    t = P.person_timeline(person, sample)
    assert t.state("activist-decision").date == D(2025, 4, 1)


def test_applicant_dates_of_an_extended_probation():
    person = Applicant("某人", admitted=D(2024, 6, 25), extended_to=D(2025, 12, 25))
    dates, known = P.applicant_dates(person)
    assert dates == {"admission-meeting": D(2024, 6, 25)} and known == frozenset()
    t = P.person_timeline(person)
    assert t.probation_end == D(2025, 12, 25)
    assert t.state("conversion-meeting").earliest == D(2025, 12, 25)


def test_the_chapter_names_every_step(proc):
    # docs/development-procedure.md's table is drawn from the data; it must not fall behind it.
    text = (SAMPLE.parent / "docs" / "development-procedure.md").read_text(encoding="utf-8")
    for step in proc.steps:
        assert f"| {step.name} `{step.key}` |" in text, step.key
    assert "三十一步" in text and len(proc.steps) == 31


def test_status_names_are_chinese():
    for code, name in P.STATUS_NAMES.items():
        assert code.isascii() and not name.isascii()
