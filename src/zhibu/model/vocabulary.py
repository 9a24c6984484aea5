"""The closed vocabularies of format version 1: record types, statuses, roles, categories."""

from __future__ import annotations

FORMAT_VERSION = 1

# Record types in the order the format lists them (used for tables and documents).
RECORD_TYPES: tuple[str, ...] = (
    "支部党员大会",
    "支部委员会",
    "党小组会",
    "党课",
    "主题党日",
    "组织生活会",
    "民主评议党员",
    "集中学习",
    "实践活动",
    "其他",
)

TYPE_ALIASES: dict[str, str] = {
    "党员大会": "支部党员大会",
    "支部大会": "支部党员大会",
    "支委会": "支部委员会",
    "支部委员会会议": "支部委员会",
    "小组会": "党小组会",
    "主题党日活动": "主题党日",
    "民主评议": "民主评议党员",
    "理论学习": "集中学习",
    "专题学习": "集中学习",
    "志愿服务": "实践活动",
}

TALK = "谈心谈话"  # talks count as records of this type for frequency rules

# Who is expected (应到) at each type; see format.md.
EXPECTS_ALL = frozenset({"支部党员大会", "党课", "主题党日", "组织生活会", "民主评议党员", "集中学习"})
EXPECTS_COMMITTEE = frozenset({"支部委员会"})
EXPECTS_GROUP = frozenset({"党小组会"})
EXPECTS_NOBODY = frozenset({"实践活动", "其他"})

# 一表 counting: which types count as 学习 / 活动 without a counts_as.
PLAN_KINDS: tuple[str, ...] = ("学习", "活动")
COUNTS_AS: dict[str, str] = {"党课": "学习", "集中学习": "学习", "主题党日": "活动", "实践活动": "活动"}

# 组织生活: attending any of these keeps a member active (党章 第九条 reading in standard-b.md).
ORGANISATIONAL_LIFE = frozenset(
    {"支部党员大会", "支部委员会", "党小组会", "党课", "主题党日", "组织生活会", "民主评议党员", "集中学习"}
)

# Yearly meetings often held early in the next year; such a record may say `for_year`
# (the year it counts for), accepted up to the end of March of the following year.
YEAR_END_TYPES = frozenset({"组织生活会", "民主评议党员"})
CARRY_OVER_LAST_MONTH = 3

REQUIRED_BY_TYPE: dict[str, str] = {"党小组会": "group", "党课": "lecturer", "主题党日": "theme"}

STATUSES: tuple[str, ...] = ("正式党员", "预备党员")
GENDERS: tuple[str, ...] = ("男", "女")
CATEGORIES: tuple[str, ...] = ("机关", "事业单位", "企业", "高校", "中小学", "医院", "村", "社区", "两新组织", "其他")
ROLES: tuple[str, ...] = ("书记", "副书记", "组织委员", "宣传委员", "纪检委员", "青年委员", "统战委员", "委员")
LEADER_ROLES = frozenset({"书记", "副书记"})
CHANGE_ACTIONS: tuple[str, ...] = ("离任", "补选", "调整")
KNOWN_TAGS: tuple[str, ...] = ("领导干部", "流动党员", "退休", "出国境", "困难党员")
DISCIPLINE_KINDS: tuple[str, ...] = ("警告", "严重警告", "撤销党内职务", "留党察看")
NO_VOTE_DISCIPLINE = "留党察看"
RESOLUTION_KINDS: tuple[str, ...] = (
    "接收预备党员",
    "预备党员转正",
    "延长预备期",
    "取消预备党员资格",
    "纪律处分",
    "表彰",
    "确定入党积极分子",
    "确定发展对象",
    "选举",
    "补选",
    "其他",
)
ELECTION_KINDS = frozenset({"选举", "补选"})  # a 补选 is an election (选举工作条例)
# Kinds that decide about one person, named in the resolution's ``person`` (or its text).
PERSONAL_KINDS = frozenset({"接收预备党员", "预备党员转正", "延长预备期", "取消预备党员资格", "纪律处分", "表彰"})
# Kinds where absent voters' written opinions count in the votes (发展党员工作细则).
WRITTEN_OPINION_KINDS = frozenset({"接收预备党员", "预备党员转正"})
TALK_FORMS: tuple[str, ...] = ("面谈", "电话", "视频", "书面", "其他")
# Statuses of a branch in a batch run (docs/json.md) that has no check result: unreadable, or
# stopped over its time or memory budget.
UNCHECKED = frozenset({"unreadable", "timeout", "memory"})


def canonical_type(name: str) -> str | None:
    """The canonical record type for a name or alias, or None when unknown."""
    if name in RECORD_TYPES:
        return name
    return TYPE_ALIASES.get(name)
