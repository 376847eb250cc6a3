//! Every user-visible string, in zh-CN and en: one catalogue so no view carries literal text.

/// The widget's display language. `zh-CN` is the default (the agreement's own language).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Locale {
    #[default]
    ZhCn,
    En,
}

impl Locale {
    /// Every locale, in the order of the catalogue's columns.
    pub const ALL: [Locale; 2] = [Locale::ZhCn, Locale::En];

    /// The locale a BCP 47 tag asks for, if the widget speaks it: `zh`, `zh-CN` and
    /// `zh-Hans…` (any region after the script) are zh-CN; `en` and `en-…` are en. Subtags
    /// compare without case, `_` counts as `-`. Anything else (`zh-TW`, `zh-Hant`, `ja`,
    /// garbage) is `None`: the host's `fallbackLocale` decides (see `Options`). Only the first
    /// two subtags are read: the rest cannot change the answer.
    pub fn parse(tag: &str) -> Option<Locale> {
        let tag = tag.trim().to_ascii_lowercase();
        let mut subtags = tag.split(['-', '_']);
        match (subtags.next(), subtags.next()) {
            (Some("en"), _) => Some(Locale::En),
            (Some("zh"), None | Some("cn" | "hans")) => Some(Locale::ZhCn),
            _ => None,
        }
    }

    /// The tag given to `Intl` and to the `lang` attribute.
    pub fn tag(self) -> &'static str {
        match self {
            Locale::ZhCn => "zh-CN",
            Locale::En => "en",
        }
    }

    /// A message with `{name}` placeholders filled in. Values are plain text.
    pub fn fill(self, key: Key, args: &[(&str, &str)]) -> String {
        fill(self.t(key), args)
    }
}

/// Replaces each `{name}` in `template` by its value; unknown placeholders stay visible.
pub fn fill(template: &str, args: &[(&str, &str)]) -> String {
    let mut out = template.to_string();
    for (name, value) in args {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

/// Separates a message's columns in its one string ([`Key`]).
const COLUMN: u8 = 0x1f;

/// The catalogue: one row per message, one column per [`Locale`], in the order of
/// [`Locale::ALL`]. A row with a column too few or too many does not compile, so a third
/// locale is a third column (and a variant of `Locale`).
///
/// Each message is a constant (`Key::Title`) and nothing else refers to the rows: a build
/// links the texts of the messages its code names and no others. That is how the first paint
/// (`crate::stage`) carries only its own texts, chosen by the modules it compiles, with no
/// list of them to keep. A row is one string, its columns joined by U+001F: the texts of one
/// message stay side by side (they compress better so), and no table of pointers is linked.
macro_rules! catalogue {
    ($($k:ident => $first:literal $(, $text:literal)*;)*) => {
        /// A message of the catalogue: its text in every locale.
        #[derive(Clone, Copy, PartialEq, Eq)]
        pub struct Key(&'static str);

        #[allow(non_upper_case_globals)]
        impl Key {
            $(
                pub const $k: Key = {
                    // One text per locale, or this row does not compile.
                    const _: [(); Locale::ALL.len()] = [(), $({ let _ = $text; }),*];
                    Key(concat!($first $(, "\u{1f}", $text)*))
                };
            )*
        }

        /// Every key with its name, for the completeness tests (only they link it).
        pub const ALL_KEYS: &[(&str, Key)] = &[$((stringify!($k), Key::$k)),*];
    };
}

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(Locale::En.t(*self))
    }
}

impl Locale {
    /// The message text in this locale: its column of the key's row.
    pub fn t(self, key: Key) -> &'static str {
        let mut rest = key.0;
        for _ in 0..self as usize {
            rest = rest
                .as_bytes()
                .iter()
                .position(|&b| b == COLUMN)
                .map_or("", |i| &rest[i + 1..]);
        }
        rest.as_bytes()
            .iter()
            .position(|&b| b == COLUMN)
            .map_or(rest, |i| &rest[..i])
    }
}

catalogue! {
    // Locale::ALL:  zh-CN, en
    Title => "SLA 服务报告", "SLA report";
    TabsLabel => "报告视图", "Report views";
    TabOverview => "概览", "Overview";
    TabAvailability => "可用性", "Availability";
    TabPeriods => "服务周期", "Periods";
    TimesIn => "时间均为合同时区 {tz}", "Times in the contract timezone, {tz}";
    AsOf => "数据截至 {when}", "Data as of {when}";
    UpdatedSecondsAgo => "{n} 秒前更新", "Updated {n} s ago";
    UpdatedMinutesAgo => "{n} 分钟前更新", "Updated {n} min ago";
    OutOfReach => "本月已无法达到 {target} 的可用性承诺；本月结束后即可申请补偿。", "This month can no longer meet {target}; you can claim once it ends.";
    ContractLine => "{client} · 合同 {contract}（{start} 至 {end}）", "{client} · contract {contract} ({start} to {end})";

    // A group's contracts (contractsUrl)
    GroupLoading => "正在加载合同列表…", "Loading the contracts…";
    GroupEmpty => "没有可查看的合同。", "There are no contracts to show.";
    GroupTitle => "集团合同概览", "Group contracts";
    GroupTotals => "{n} 份合同 · {months} 个月未达标 · 现可申请 {units} 次宕机的补偿", "{n} contract(s) · {months} month(s) below target · {units} unit(s) claimable now";
    GroupCaption => "每份合同一行，数值与该合同自己的报告一致。", "One row per contract; each figure is the one its own report gives.";
    GroupContract => "合同", "Contract";
    GroupTerm => "服务期", "Term";
    GroupTermRange => "{start} 至 {end}（{tz}）", "{start} to {end} ({tz})";
    GroupLastJudged => "最近评判月份", "Last judged month";
    GroupNotJudged => "尚无", "none yet";
    GroupBreachedMonths => "未达标月份", "Months below target";
    GroupClaimable => "可申请单位", "Claimable units";
    GroupClaims => "补偿申请", "Claims";
    GroupNoClaims => "无", "none";
    GroupReport => "报告", "Report";
    GroupOpen => "查看报告", "Open report";
    GroupOpenLabel => "查看报告：{name}", "Open report: {name}";
    GroupShown => "正在显示", "Shown below";
    GroupSwitch => "选择合同", "Choose a contract";

    // Loading
    LoadingTitle => "正在加载报告数据", "Loading the report data";
    LoadingUsage => "用量数据", "Usage data";
    LoadingIncidents => "故障记录", "Incident records";
    LoadingPolicy => "协议参数", "Agreement policy";
    BytesOf => "已接收 {received} / {total}", "{received} of {total} received";
    BytesReceived => "已接收 {received}", "{received} received";
    Waiting => "等待中", "waiting";
    Computing => "正在计算报告…", "Computing the report…";
    TabLoading => "正在加载此视图…", "Loading this view…";
    TabLoadFailed => "此视图未能加载。", "This view could not be loaded.";

    // Errors
    ErrorTitle => "无法显示报告", "The report cannot be shown";
    ErrorHttp => "服务器对 {url} 返回了 HTTP {status}。", "The server answered HTTP {status} for {url}.";
    ErrorTimeout => "请求 {url} 超过 {seconds} 秒未完成。", "The request for {url} did not finish within {seconds} s.";
    ErrorNetwork => "无法连接 {url}：{detail}", "Could not reach {url}: {detail}";
    ErrorNotJson => "{url} 返回的内容不是有效的 JSON：{detail}", "{url} did not return valid JSON: {detail}";
    ErrorContract => "数据不符合数据约定。", "The data does not follow the data contract.";
    ErrorFile => "文件", "File";
    ErrorPath => "JSON 路径", "JSON path";
    ErrorProblem => "问题", "Problem";
    ErrorOptions => "嵌入参数有误：{detail}", "The embedding options are wrong: {detail}";
    Retry => "重试", "Retry";

    // Overview
    CurrentPeriod => "当前服务周期", "Current service period";
    InProgressNote => "进行中，尚未评判", "in progress, not judged";
    NoCurrentPeriod => "无进行中的周期", "No period in progress";
    LastJudged => "最近已评判周期", "Last judged period";
    NoJudged => "尚无已评判的服务周期", "No service period has been judged yet";
    Target => "可用性目标", "Availability target";
    Budget => "停机预算", "Downtime budget";
    BudgetUsed => "已用 {used} / {budget} 分钟", "{used} of {budget} minutes used";
    BreachedCount => "未达标周期", "Months below target";
    BreachedOf => "{n} / {total} 个已评判周期", "{n} of {total} judged periods";
    Durability => "数据持久性", "Data durability";
    DurabilityMet => "达标", "met";
    DurabilityNotMet => "未达标", "not met";
    NoData => "无数据", "no data";
    VerdictKept => "达标", "Agreement kept";
    VerdictBreached => "未达标", "Target missed";
    VerdictNotJudged => "不评判", "Not judged";
    WhyBreachedOne => "1 次宕机，计入 {minutes} 分钟不可用；{days} 天的月份停机预算为 {budget} 分钟。", "One outage of {minutes} counted minutes; the budget for a {days}-day month is {budget} minutes.";
    WhyBreachedMany => "{n} 次宕机，共计入 {minutes} 分钟不可用；{days} 天的月份停机预算为 {budget} 分钟。", "{n} outages of {minutes} counted minutes in all; the budget for a {days}-day month is {budget} minutes.";
    WhyExcluded => "（已排除 {excluded} 分钟维护或免责时间）", " ({excluded} excluded minutes left out)";
    WhyKept => "计入不可用 {minutes} 分钟，在 {budget} 分钟的停机预算之内。", "{minutes} counted minutes of downtime, within the budget of {budget} minutes.";
    WhyAllExcluded => "该月全部时间均被排除，不判定为未达标。", "Every minute of this month was excluded, so it cannot miss the target.";
    Warnings => "数据提示", "Data notes";

    // Status and results
    StatusJudged => "已评判", "judged";
    StatusPartial => "非完整月份", "partial";
    StatusInProgress => "进行中", "in progress";

    // Charts
    ChartMonthly => "月度可用性与目标", "Monthly availability against the target";
    DataTable => "数据表", "Data table";
    LegendTarget => "目标", "target";
    LegendMet => "达标", "met";
    LegendBreached => "未达标", "target missed";
    LegendNotJudged => "非完整或进行中", "partial or in progress";

    // Tables
    Month => "月份", "Month";
    Status => "状态", "Status";
    Availability => "可用性", "Availability";
    Unavailable => "不可用分钟", "Unavailable min";
    Result => "结果", "Result";

    // Exports
    Exports => "导出", "Export";
    ExportPeriods => "周期 CSV", "Periods CSV";
    ExportOutages => "宕机 CSV", "Outages CSV";
    ExportJson => "报告 JSON", "Report JSON";
    Print => "打印月度报表", "Print monthly statement";

    // Incidents and claims
    TabIncidents => "故障记录", "Fault history";
    TabClaims => "补偿申请", "Compensation";

    // Issue 9: excluded time, how availability is computed, policy versions, the agreement view.
    TabAgreement => "协议承诺", "Agreement";

    // The other charts (src/views/figures.rs) and shared words only they use.
    ChartDaily => "近 90 天每日可用性", "Daily availability, last 90 days";
    ChartDailyHelp => "用左右方向键逐日查看，Home/End 跳到首尾，回车选择该月。", "Use the arrow keys to move between days, Home/End to jump, Enter to select the month.";
    ChartTimeline => "{month} 分钟级时间线", "Minute timeline of {month}";
    ChartMetering => "近 24 个月签约与失败份数", "Signed and failed contracts, last 24 months";
    DayAnnounceOne => "{day}：{availability}，1 次宕机", "{day}: {availability}, 1 outage";
    DayAnnounceMany => "{day}：{availability}，{n} 次宕机", "{day}: {availability}, {n} outages";
    DayAnnounceNone => "{day}：{availability}，无宕机", "{day}: {availability}, no outage";
    LegendUp => "可用", "up";
    LegendOutage => "宕机（计入）", "outage (counted)";
    LegendBlip => "短暂异常（不足一次宕机）", "short dip (not an outage)";
    LegendExcluded => "已排除", "excluded";
    LegendNoData => "无数据", "no data";
    LegendSigned => "签约份数", "signed";
    LegendFailed => "签约失败份数", "failed";
    NoMonth => "没有可显示的月份", "No month to show";
    NoDays => "没有每日数据", "No daily data";
    NoMetering => "没有签约计量数据", "No signing data";
    Date => "日期", "Date";
    Excluded => "排除分钟", "Excluded min";
    NoDataMin => "无数据分钟", "No-data min";
    DataHorizon => "数据截至 {when}", "Data up to {when}";
    DataHorizonNone => "尚无遥测数据", "No telemetry yet";
    DataShort => "数据未到月末：之后 {minutes} 分钟无数据", "Data stops before the month's end: {minutes} min after it have no data";
    DataShortWhy => "数据在 {when} 中断，本月其后 {minutes} 分钟没有遥测，按政策（无数据分钟计为{fill}）判定；结论可能只是因为数据中断。", "Data stopped at {when}: the month's last {minutes} min have no telemetry and are judged as the policy says (minutes without data count as {fill}), so this result may only reflect the missing data.";
    FillUp => "可用", "available";
    FillDown => "不可用", "unavailable";
    Outages => "宕机", "Outages";
    Signed => "签约", "Signed";
    Failed => "失败", "Failed";
    Start => "开始", "Start";
    End => "结束", "End";
    Minutes => "分钟", "Minutes";
    Minute => "分钟", "min";

    // The overview's details the full build adds: the policy version badge and how
    // availability is computed (src/views/exclusions.rs).
    ListSep => "、", ", ";
    ExclTitleMonth => "{month} 的排除时间", "Excluded time in {month}";
    ExclTitleTerm => "整个服务期的排除时间", "Excluded time, whole term";
    ExclIntro => "预先通知的维护（§4.8 (3)、§4.14.1 (1)）和第 5 章所列情形不计入不可用时间。每条维护窗口和免责时段都列在这里，包括未被采纳的。", "Maintenance announced in advance (§4.8 (3), §4.14.1 (1)) and the cases of chapter 5 are left out of unavailable time. Every maintenance window and exclusion is listed here, including those not applied.";
    ExclNoneMonth => "本月没有维护窗口或免责时段。", "No maintenance window or exclusion this month.";
    ExclNoneTerm => "没有维护窗口或免责时段。", "No maintenance window or exclusion.";
    ExclRecord => "记录", "Record";
    ExclWhat => "类别", "Kind or cause";
    ExclWindow => "时段", "Window";
    ExclNotice => "通知", "Announcement";
    ExclMinutes => "排除分钟", "Minutes removed";
    ExclMonthMinutes => "本月排除分钟", "Removed this month";
    ExclApplied => "是否采纳", "Applied";
    ExclYes => "已排除", "applied";
    ExclNo => "未排除", "not applied";
    ExclWindowText => "{start} 至 {end}", "{start} to {end}";
    ExclReasonLate => "未预先通知：只有预先通知的维护才不计入不可用时间（§4.8 (3)、§4.14.1 (1)），这些分钟照常计算。", "Not announced in advance: only maintenance announced beforehand is left out (§4.8 (3), §4.14.1 (1)), so these minutes count.";
    ExclReasonLateMin => "通知不够早：协议参数要求至少提前 {lead}通知，这些分钟照常计算。", "Not announced early enough: the policy asks for at least {lead} of notice, so these minutes count.";
    ExclReasonCause => "协议参数未将此原因列为排除原因，这些分钟照常计算。", "The policy does not exclude this cause, so these minutes count.";
    NoticeBefore => "提前 {d}通知（{when}）", "announced {d} before ({when})";
    NoticeJustBefore => "开始前不到 1 分钟通知（{when}）", "announced less than a minute before ({when})";
    NoticeAfter => "开始后 {d}才通知（{when}）", "announced {d} after it began ({when})";
    NoticeNone => "未通知", "not announced";
    NoticeNotNeeded => "无需预先通知", "no notice required";
    KindUpgrade => "升级", "upgrade";
    KindScaleOut => "扩容", "scale-out";
    KindMaintenance => "维护", "maintenance";
    KindFaultDrill => "模拟故障演练", "fault drill";
    SourceMaintenance => "维护窗口", "maintenance window";
    SourceExclusion => "免责时段", "exclusion";
    ExclOutages => "重叠的宕机", "Overlapping outages";
    TipExcludedBy => "排除依据：{records}", "excluded by {records}";
    HowTitle => "可用性如何计算", "How availability is computed";
    HowFormula => "可用性 = 可用分钟 ÷（可用分钟 + 不可用分钟）× 100%，每个自然月评判一次，目标为 {target}（§4.8）。", "Availability = available minutes ÷ (available + unavailable minutes) × 100 %, judged once per calendar month against a target of {target} (§4.8).";
    HowMinute => "某一分钟内至少 {percent}% 的请求得到正常响应，该分钟即为可用。", "A minute is available when at least {percent} % of its requests succeed.";
    HowRun => "连续不可用不足 {min} 分钟的不计入不可用时间。", "Down runs shorter than {min} minutes do not count.";
    HowMissingUp => "没有数据的分钟按可用计。", "A minute without data counts as available.";
    HowMissingDown => "没有数据的分钟按不可用计。", "A minute without data counts as unavailable.";
    HowZeroUp => "没有请求的分钟按可用计。", "A minute without requests counts as available.";
    HowZeroDown => "没有请求的分钟按不可用计。", "A minute without requests counts as unavailable.";
    HowExcluded => "预先通知的维护和免责时段不计入（见“可用性”页的排除时间）。", "Announced maintenance and exclusions are left out (see Excluded time on the Availability tab).";
    HowBudget => "每月可不可用的分钟数（停机预算）= 计量分钟 × (100% − {target})。", "The minutes a month may be down (its downtime budget) = measured minutes × (100 % − {target}).";
    VersionFrom => "条款版本 {month} 起", "Terms from {month}";
    VersionOriginal => "原始条款", "Original terms";
    VersionHelp => "评判该月所用的协议参数版本（§6）", "The version of the terms that judged this month (§6)";
    UnitPerMonth => "每个未达标的服务周期计一次宕机（§4.14.2：“平台可用性达不到服务可用性承诺时”），与该月的不可用分钟如何分段无关。", "Each service period below target counts as one 宕机 (§4.14.2: availability falling short of the promise), however its down minutes are grouped.";
    UnitPerOutage => "每次可补偿的宕机（连续 {min} 分钟以上）计一次，计入其分钟最多的未达标月份。", "Each compensable outage (a run of {min} minutes or more) counts once, in the month below target holding most of its minutes.";
    WindowYear => "当年度（1 月至该月）", "that calendar year up to that month";
    WindowTrailing => "截至该月的 12 个月", "the 12 months up to that month";
    RoundHalfUp => "四舍五入", "rounded half up";
    RoundCeil => "向上取整", "rounded up";
    RoundFloor => "向下取整", "rounded down";
    TipNotApplied => "{records}：未排除", "{records}: not applied";
    NoticeAtStart => "开始时才通知（{when}）", "announced as it began ({when})";
    ExclOfTotal => "{m}（共 {total}）", "{m} (of {total})";

    // Loading
    Done => "完成", "done";

    // Errors

    // Overview

    // Status and results

    // Charts
    SelectMonth => "选择月份", "Select month";
    OutagesOfMonth => "{month} 的宕机", "Outages in {month}";
    NoOutages => "本月没有宕机", "No outages this month";

    // Tables
    Measured => "计量分钟", "Measured min";
    OutageId => "宕机编号", "Outage";
    Counted => "计入分钟", "Counted min";
    Compensable => "可获补偿", "Compensable";
    Yes => "是", "yes";
    No => "否", "no";
    RowSelectHint => "点击某行可在可用性页查看该月时间线", "Select a row to see that month's timeline on the Availability tab";

    // Exports
    StatementTitle => "{month} 服务月报", "Service statement for {month}";

    // Incidents and claims
    Level => "级别", "Level";
    LevelN => "{n} 级", "Level {n}";
    Level1 => "核心功能不可用", "core function unusable";
    Level2 => "次要功能不可用或间歇故障", "secondary function or intermittent";
    Level3 => "一般使用问题", "usage problem";
    IncCount => "{n} 起故障", "incidents: {n}";
    Assessed => "{n} / {total} 起参与考核", "{n} of {total} assessed";
    TargetShort => "目标", "Target";
    MetPercent => "达标率", "Met";
    Median => "中位数", "Median";
    P90 => "90 分位", "90th percentile";
    Response => "响应", "Response";
    Recovery => "恢复", "Recovery";
    AdviceGiven => "给出建议", "Advice";
    Paused => "第三方暂停", "Third-party pause";
    Reported => "报告时间", "Reported";
    Responded => "响应时间", "Responded";
    Resolved => "解决时间", "Resolved";
    IncTitle => "故障", "Incident";
    IncTitleAll => "故障记录", "Incidents";
    IncTable => "故障列表（可滚动）", "Incident list (scrollable)";
    IncShown => "显示 {n} / {total} 起故障", "{n} of {total} incidents shown";
    Component => "组件", "Component";
    Cause => "原因", "Cause";
    Period => "服务周期", "Period";
    FilterAll => "全部", "All";
    Search => "搜索", "Search";
    SearchHint => "编号、标题或组件", "id, title or component";
    CausePlatform => "平台", "platform";
    CauseThirdParty => "第三方服务商", "third-party supplier";
    CauseCustomer => "客户原因", "customer cause";
    CauseNetwork => "外部网络", "external network";
    CauseForceMajeure => "不可抗力", "force majeure";
    IncMet => "达标", "met";
    IncBreached => "超时", "late";
    IncRunning => "计时中", "running";
    IncNotAssessed => "不考核", "not assessed";
    NotAssessedWhy => "该故障由客户原因、外部网络或不可抗力引起，不属于平台故障，不参与考核（§5）。", "This incident was caused by the customer, an external network or force majeure: not a platform fault, so it is not assessed (§5).";
    DurMin => "{m} 分钟", "{m} min";
    DurMinSec => "{m} 分 {s} 秒", "{m} min {s} s";
    DurHourMin => "{h} 小时 {m} 分", "{h} h {m} min";
    DurHour => "{h} 小时", "{h} h";
    DurDayHour => "{d} 天 {h} 小时", "{d} d {h} h";
    ChartIncidents => "每月故障数（按级别）", "Incidents per month, by level";
    PerMonthTip => "{month}：1 级 {a}，2 级 {b}，3 级 {c}", "{month}: level 1 {a}, level 2 {b}, level 3 {c}";
    IncClock => "故障时间线（按比例）", "Incident timeline, to scale";
    RowClock => "计时", "Clock";
    RowPaused => "第三方暂停", "Paused";
    RowOutages => "重叠的宕机", "Outages";
    LegendResponse => "等待响应", "awaiting response";
    LegendRecovery => "处理中", "recovering";
    ClosedHours => "非工作时间（不计时）", "outside business hours (not counted)";
    Clock247 => "7×24 计时", "24×7 clock";
    ClockBusiness => "工作时间计时（5×9）", "business-hours clock (5×9)";
    OverlappingOutages => "与该故障重叠的宕机", "Outages overlapping this incident";
    NoOverlap => "没有重叠的宕机", "No outage overlaps it";
    ContactsTitle => "联系方式与响应", "Contacts and response";
    LineWeb => "网页客服热线", "Web hotline";
    LineInterface => "接口故障热线", "Interface-fault hotline";
    ChannelRemote => "远程支持", "remote support";
    Hours59 => "5×9", "5×9";
    Hours724 => "7×24", "7×24";
    LineOpen => "现在开放", "open now";
    LineClosed => "现在关闭", "closed now";
    LineClosesAt => "{when} 关闭", "closes {when}";
    LineOpensAt => "{when} 开放", "opens {when}";
    Channel => "渠道", "Channel";
    Responders => "响应人员", "Responders";
    Notified => "通知", "Notified";
    ClockCol => "计时方式", "Clock";
    WithinN => "{d} 内", "within {d}";
    RecoveredWithin => "{d} 内恢复", "recovered within {d}";
    AdviceWithin => "{d} 内给出建议", "advice within {d}";
    RoleProjectManager => "项目经理", "project manager";
    RoleTechSupport => "技术支持", "technical support";
    RoleBusiness => "商务", "account manager";
    RoleCustomerSuccess => "客户成功", "customer success";
    RoleDirector => "总监", "director";
    RoleCto => "CTO", "CTO";
    EntTitle => "可申请的补偿", "Compensation you can claim";
    EntNone => "没有尚未申请的未达标周期。", "No month below target is left to claim.";
    EntPeriods => "尚未申请的未达标周期：{months}，共 {units} 次宕机可获补偿。", "Months below target not yet claimed: {months}. Units of compensation (宕机): {units}.";
    EntMonths => "{n} 个月", "{n} month(s)";
    EntContracts => "{n} 份合同", "{n} contracts";
    EntNewEnd => "新的服务截止日：{end}", "New service end: {end}";
    EntExtensionWhy => "{units} 次宕机 × 1 个月 = {months} 个月（§4.14.2），服务截止日由 {old} 延至 {end}。", "{units} unit(s) × 1 month = {months} month(s) (§4.14.2), moving the service end from {old} to {end}.";
    EntCreditWhy => "{month}：{units} 次宕机 × {window}月平均签约 {average} 份（{n} 个月共 {sum} 份，{rounding}）= {contracts} 份。", "{month}: {units} unit(s) × the monthly average of {window}, {average} contracts ({sum} signed in {n} month(s), {rounding}) = {contracts} contracts.";
    CreditSumWhy => "{units} 次宕机，每次按其所在月份的月平均签约份数补偿，共 {n} 份。", "Each of the {units} unit(s) is worth its month's average of signed contracts: {n} contracts in all.";
    EntOneRemedy => "每次申请只能选择一种补偿方式，补偿不可兑换现金（§4.14.2）。", "Each claim takes one remedy; neither converts to cash (§4.14.2).";
    RemedyExtension => "延长服务期", "Service extension";
    RemedyCredit => "赠送合同份数", "Contract credit";
    FlowTitle => "申请补偿", "File a claim";
    StepPeriods => "选择周期", "Periods";
    StepRemedy => "选择补偿", "Remedy";
    StepEvidence => "核对证据", "Evidence";
    StepContact => "联系方式", "Contact";
    StepConfirm => "确认提交", "Confirm";
    ChoosePeriods => "选择要申请补偿的未达标周期", "Choose the months below target to claim";
    PeriodClaimed => "已申请", "claimed already";
    PeriodNoUnits => "无可补偿的宕机（已计入其他周期）", "no compensable outage (counted in another period)";
    PeriodUnits => "{n} 次宕机可获补偿", "units of compensation: {n}";
    ChooseRemedy => "选择一种补偿方式", "Choose one remedy";
    FailedSignings => "签约失败份数", "Failed signings";
    AttributedTo => "计入周期", "Counted in";
    EvidenceExplain => "证据文件包含所选周期、其宕机及宕机前后每分钟的状态，可用于自行核对。", "The evidence file holds the chosen periods, their outages and the minute states around each outage, so you can check the numbers yourself.";
    DownloadEvidence => "下载证据（JSON）", "Download evidence (JSON)";
    ContactDetails => "联系人", "Contact details";
    ContactName => "姓名", "Name";
    ContactEmail => "电子邮箱", "E-mail";
    ContactPhone => "电话", "Phone";
    ContactNote => "备注（选填）", "Note (optional)";
    DraftSaved => "草稿自动保存在本浏览器中（不含登录凭据）。", "The draft is saved in this browser as you type (never any credentials).";
    ProbNoPeriod => "请至少选择一个周期。", "Choose at least one period.";
    ProbPeriodUnavailable => "所选周期已被申请或不再可申请，请重新选择。", "A chosen period was claimed already or can no longer be claimed: choose again.";
    ProbNothingToGrant => "所选周期没有可补偿的宕机。", "The chosen periods carry no compensable outage.";
    ProbNoRemedy => "请选择一种补偿方式。", "Choose a remedy.";
    ProbNameMissing => "请填写姓名。", "Enter a name.";
    ProbNameTooLong => "姓名不能超过 100 个字符。", "The name must be at most 100 characters.";
    ProbEmailInvalid => "请填写有效的电子邮箱，例如 name@example.com。", "Enter a valid e-mail address, e.g. name@example.com.";
    ProbPhoneInvalid => "请填写 5–20 位数字的电话号码，可带 + 和空格或短横线。", "Enter a phone number of 5–20 digits; a leading + and spaces or dashes are fine.";
    ProbNoteTooLong => "备注不能超过 2,000 个字符。", "The note must be at most 2,000 characters.";
    ClaimPeriods => "周期", "Periods";
    ClaimRemedy => "补偿方式", "Remedy";
    ClaimFigures => "预计补偿", "Expected";
    ClaimGranted => "核定补偿", "Granted";
    ClaimId => "申请编号", "Claim id";
    ClaimSubmitted => "提交时间", "Submitted";
    ClaimUpdated => "更新时间", "Updated";
    ClaimOpen => "查看", "View";
    FiguresExtension => "{units} 次宕机：延长 {n} 个月", "{n} month(s) of extension ({units} unit(s))";
    FiguresEnd => "，服务至 {end}", ", service until {end}";
    FiguresCredit => "{units} 次宕机：{n} 份合同", "{n} contracts ({units} unit(s))";
    Back => "上一步", "Back";
    Next => "下一步", "Next";
    Submit => "提交申请", "Submit claim";
    SubmitAgain => "重新发送（不会重复申请）", "Send again (never files twice)";
    Submitting => "正在提交…", "Submitting…";
    RetrySafe => "服务器可能已收到申请。重新发送使用同一申请编号，不会重复申请。", "The server may have received the claim. Sending again uses the same claim id, so it never files twice.";
    ClaimFiled => "申请已提交，服务器已确认。", "Claim filed and confirmed by the server.";
    NewClaim => "再申请一次", "Start another claim";
    ClaimsLoading => "正在加载申请记录…", "Loading your claims…";
    ClaimsListFailed => "无法加载申请记录。", "Your claims could not be loaded.";
    ClaimsDisabled => "此门户未开通在线申请补偿。", "This portal does not offer online claims.";
    ErrAlreadyClaimed => "{months} 已申请过补偿，每个周期只能申请一次。草稿已保留，请重新选择周期。", "{months} was claimed already; a period can be claimed once. Your draft is kept: choose the periods again.";
    ErrIdReused => "此申请编号已用于另一份申请。正在核对申请记录…", "This claim id was used for another claim. Checking your claims…";
    ErrNotBreached => "服务器认为 {months} 不是未达标的服务周期，无法申请。", "The server says {months} did not fall below its target.";
    ErrMismatch => "服务器核算的补偿与页面不同：{figures}。请刷新数据后再提交。", "The server computes different figures: {figures}. Reload the data, then submit again.";
    ErrMismatchBare => "服务器核算的补偿与页面不同。请刷新数据后再提交。", "The server computes different figures. Reload the data, then submit again.";
    ErrNothingToGrant => "所选周期没有可补偿的宕机，服务器未受理。", "The chosen periods carry no compensable outage; the server refused the claim.";
    ErrRateLimited => "请求过多，请 {n} 秒后重试。草稿已保留。", "Too many requests, try again in {n} s. Your draft is kept.";
    ErrRateLimitedBare => "请求过多，请稍后重试。草稿已保留。", "Too many requests, try again shortly. Your draft is kept.";
    ErrUnauthorized => "登录已失效，请重新登录后再提交。草稿已保留。", "Your sign-in is no longer valid: sign in again, then submit. Your draft is kept.";
    ErrForbidden => "您的账号无权为此合同申请补偿。", "Your account may not claim for this contract.";
    ErrRejected => "服务器拒绝了申请（HTTP {status}）：{message}", "The server refused the claim (HTTP {status}): {message}";
    ErrServer => "服务器出错（HTTP {status}），申请结果未知。草稿已保留，可安全地重新发送。", "The server failed (HTTP {status}); the outcome is unknown. Your draft is kept and can safely be sent again.";
    ErrTimeout => "服务器未及时答复，申请结果未知。草稿已保留，可安全地重新发送。", "The server did not answer in time; the outcome is unknown. Your draft is kept and can safely be sent again.";
    ErrOffline => "无法连接服务器（可能已离线）。草稿已保留，联网后可重新发送。", "The server could not be reached (offline?). Your draft is kept; send it again once you are online.";
    NotifTitle => "通知", "Notifications";
    NotifIntro => "让您自己的系统（工单、聊天、邮件网关）在月度未达标或申请状态变更时收到 webhook 通知。", "Have your own systems (ticketing, chat, e-mail gateways) notified by webhook when a month falls short or a claim's status changes.";
    NotifLoading => "正在读取通知订阅…", "Loading subscriptions…";
    NotifUnavailable => "此服务器暂不提供通知订阅。", "Notifications are not available on this server.";
    NotifEmpty => "还没有通知订阅。", "No subscriptions yet.";
    NotifCreated => "创建于 {when}", "created {when}";
    NotifRemove => "删除", "Remove";
    NotifRemoveLabel => "删除订阅 {url}", "Remove the subscription {url}";
    NotifUrl => "接收地址（https://…）", "Receiver URL (https://…)";
    NotifEvents => "通知事件", "Events";
    NotifDescription => "说明（可选）", "Description (optional)";
    NotifAdd => "添加订阅", "Add subscription";
    NotifNeedUrl => "请填写接收地址。", "Enter the receiver URL.";
    NotifNeedEvent => "请至少选择一个事件。", "Choose at least one event.";
    NotifSecretOnce => "签名密钥只显示这一次，请立即复制并妥善保存：", "The signing secret is shown this once: copy it now and keep it safe.";
    NotifCopy => "复制", "Copy";
    NotifCopied => "已复制", "Copied";
    NotifSecretDone => "已保存，关闭", "Saved it, close";
    EventPeriodBreached => "月度可用性未达标（可申请补偿）", "A month falls short of its target (compensation becomes claimable)";
    EventClaimStatus => "补偿申请状态变更", "A claim's status changes";
    StatusHistory => "状态记录", "Status history";
    HistoryTitle => "申请记录", "Your claims";
    HistoryEmpty => "还没有申请记录。", "No claims yet.";
    // Signed receipts and statements (`crate::signatures`, full build only)
    SigTitle => "服务方签名", "Provider's signature";
    SigChecking => "正在校验服务方签名…", "Checking the provider's signature…";
    SigValid => "服务方已签名 · 密钥 {key} · 时间 {when}", "Signed by the provider · key {key} · at {when}";
    SigValidStatement => "服务方已签名 · 密钥 {key} · {month}对账单", "Signed by the provider · key {key} · statement of {month}";
    SigNotChecked => "签名未在此浏览器中校验（此浏览器不支持 Ed25519）。", "Signature not checked in this browser (it has no Ed25519).";
    SigNoKeys => "签名未校验：无法读取服务方的公钥（{url}）。", "Signature not checked: the provider's keys could not be read ({url}).";
    SigUnsigned => "无服务方签名。", "Not signed by the provider.";
    SigInvalid => "警告：服务方签名校验未通过（{reason}）。这些内容可能已被改动，请勿作为依据，并联系服务方。", "Warning: the provider's signature does not check out ({reason}). This may have been altered: do not rely on it, and ask the provider.";
    SigWhyMalformed => "签名格式无效", "not a valid signature";
    SigWhyType => "签名类型不符", "wrong kind of signature";
    SigWhyUnknownKey => "未知密钥", "unknown key";
    SigWhyBad => "签名不符", "bad signature";
    SigWhyNotCanonical => "签名内容非规范格式", "signed content not canonical";
    SigWhyMismatch => "签名内容与所示内容不一致：{field}", "what was signed differs from what is shown: {field}";
    SigWhyKey => "公布的密钥不可用", "the published key is unusable";
    SigStatementFailed => "无法取得签名对账单（{reason}）。", "The signed statement could not be fetched ({reason}).";
    SigKid => "服务方密钥（kid）：", "Provider's key (kid): ";
    SigJwsLabel => "签名对账单（紧凑 JWS，每行 64 个字符），可录入后用 sla verify 校验：", "The signed statement (compact JWS, 64 characters a line), to type back and check with sla verify:";
    DownloadEvidenceSigned => "下载证据及回执（JSON）", "Download evidence with the receipt (JSON)";
    CsSubmitted => "已提交", "submitted";
    CsUnderReview => "审核中", "under review";
    CsApproved => "已批准", "approved";
    CsRejected => "已驳回", "rejected";
    CsFulfilled => "已兑现", "fulfilled";
    // The operator console (`crate::stage::operator`, full build only)
    OpTitle => "SLA 补偿申请处理台", "SLA claims console";
    OpNav => "处理台视图", "Console views";
    OpNavQueue => "申请队列", "Claims queue";
    OpNavExposure => "补偿敞口", "What we owe";
    OpQueueTitle => "补偿申请队列", "Claims queue";
    OpQueueCaption => "所有客户的补偿申请，最早提交的在前。", "Every client's claims, the oldest first.";
    OpFilters => "筛选申请", "Filter the claims";
    OpAny => "全部", "any";
    OpClient => "客户", "Client";
    OpApply => "筛选", "Apply";
    OpClear => "清除筛选", "Clear filters";
    OpCounts => "各状态的申请数", "Claims per status";
    OpLoading => "正在加载…", "Loading…";
    OpEmpty => "没有符合筛选条件的申请。", "No claim matches the filters.";
    OpAge => "已等待", "Waiting";
    OpAgeOf => "已等待 {age}", "waiting {age}";
    OpOpenClaim => "打开 {client} 的申请 {id}", "Open claim {id} of {client}";
    OpPages => "分页", "Pages";
    OpPage => "第 {n} 页", "Page {n}";
    OpFirstPage => "第一页", "First page";
    OpNextPage => "下一页", "Next page";
    OpBack => "返回队列", "Back to the queue";
    OpClaimTitle => "补偿申请详情", "Claim";
    OpClientNote => "客户备注", "Client's note";
    OpEvidenceTitle => "客户所见的证据（重新计算）", "The evidence the client sees (recomputed)";
    OpEvidenceWhy => "以下数据由本页从客户的原始文件重新计算，与客户门户中的图表和数字完全一致；此处只读。", "Recomputed here from the client's own documents by the same rules and drawn by the same views as the client's portal; read-only.";
    OpDecisionTitle => "处理决定", "Decision";
    OpNoteLabel => "给客户的说明", "Note to the client";
    OpNoteDraft => "说明草稿保存在本浏览器会话中，不含登录凭据；驳回时必须填写。", "The note is kept as a draft in this browser session (never any credentials); a rejection needs one.";
    OpNoteRequired => "驳回申请时必须填写给客户的说明。", "A rejection needs a note for the client.";
    OpSetStatus => "设为“{status}”…", "Set to {status}…";
    OpConfirmText => "确认将申请 {id} 设为“{status}”？", "Set claim {id} to {status}?";
    OpConfirm => "确认", "Confirm";
    OpCancel => "取消", "Cancel";
    OpSending => "正在提交…", "Sending…";
    OpSaved => "已保存：申请现为“{status}”，客户下次刷新时即可看到。", "Saved: the claim is now {status}; the client sees it at the next re-check.";
    OpChanged => "此申请已被 {who} 于 {when} 修改，已重新加载最新内容。您的说明已保留，请核对后再决定。", "This claim was changed by {who} at {when}; it has been reloaded. Your note is kept: check the claim, then decide again.";
    OpSomeone => "其他人", "someone";
    OpNotAllowed => "当前状态下不允许此变更，已重新加载申请。", "The claim's status no longer allows that change; it has been reloaded.";
    OpFinal => "申请已是“{status}”，无需进一步处理。", "The claim is {status}: nothing more to decide.";
    OpExposureTitle => "补偿敞口", "What the provider owes";
    OpExposureWhy => "所有客户与合同中每月未达标的情况：可补偿的宕机次数、可延长月数与合同补偿份数，以及其中已被申请的部分及其状态。数字由服务器按规则逐份合同计算。", "Per month across every client and contract: the months below target, the units, the extension months and contract credits at stake, and how much of it is claimed, in which status. Each figure is the rules core's, contract by contract, on the server.";
    OpExposureCaption => "每月一行；合同补偿与延长月数为各合同按该月单独计算之和。", "One row per month; credits and extension months are each contract's figures for that month alone, added up.";
    OpExposureEmpty => "所选月份内没有未达标的合同。", "No contract fell below its target in these months.";
    OpEntTitle => "本申请所涉月份的补偿", "Compensation for this claim's months";
    OpEntPeriods => "本申请的未达标周期：{months}，共 {units} 次宕机可获补偿。", "This claim's months below target: {months}. Units of compensation (宕机): {units}.";
    OpExposureUnreadable => "以下合同的数据无法读取，未计入下表（{n} 份）：", "Contracts left out of the totals below because their data could not be read: {n}";
    OpRange => "月份范围", "Months";
    OpMonthHint => "格式：YYYY-MM，例如 2026-02", "As YYYY-MM, e.g. 2026-02";
    OpMonthInvalid => "请按 YYYY-MM 填写月份，例如 2026-02。", "Enter the month as YYYY-MM, e.g. 2026-02.";
    OpRangeInvalid => "请按 YYYY-MM 填写两个月份，且起始月份不晚于结束月份。", "Enter both months as YYYY-MM, the first not after the second.";
    OpFrom => "起始月份", "From";
    OpTo => "结束月份", "To";
    OpCsv => "下载 CSV", "Download CSV";
    OpBelowTarget => "未达标合同数", "Contracts below target";
    OpUnits => "可补偿宕机次数", "Units";
    OpExtensionMonths => "可延长月数", "Extension months";
    OpContractCredit => "合同补偿份数", "Contract credits";
    OpClaimedUnits => "已申请（按状态）", "Claimed (by status)";
    OpUnclaimedUnits => "未申请次数", "Unclaimed units";
    OpErrMalformed => "服务器的答复无法读取（{url}）：{message}", "The server's answer could not be read ({url}): {message}";
    OpErrRateLimited => "请求过多，请 {n} 秒后重试。", "Too many requests, try again in {n} s.";
    OpErrRateLimitedBare => "请求过多，请稍后重试。", "Too many requests, try again shortly.";
    OpErrUnauthorized => "登录已失效，请重新登录。", "Your sign-in is no longer valid: sign in again.";
    OpErrForbidden => "此处理台需要运营人员的令牌。", "The console needs an operator's token.";
    OpErrRejected => "服务器拒绝了请求（HTTP {status}）：{message}", "The server refused the request (HTTP {status}): {message}";
    OpErrServer => "服务器出错（HTTP {status}）。", "The server failed (HTTP {status}).";
    OpErrTimeout => "服务器未及时答复。", "The server did not answer in time.";
    OpErrOffline => "无法连接服务器（可能已离线）。", "The server could not be reached (offline?).";
    ConfirmationTitle => "补偿申请确认单", "Claim confirmation";
    ConfirmationNote => "请保存本确认单；申请编号可用于查询进度。", "Keep this confirmation; quote the claim id when you ask about it.";
    PrintConfirmation => "打印确认单", "Print confirmation";
    PeriodClaimedBadge => "已申请补偿", "claimed";

    // Issue 9: excluded time, how availability is computed, policy versions, the agreement view.
    ExclTitle => "说明", "Title";
    AgrIntro => "逐条列出服务等级协议（SLA）的承诺，以及本门户如何对待每一条。", "Every clause of the service level agreement (SLA), what it promises, and how this portal handles it.";
    AgrPromise => "承诺", "What it promises";
    AgrHandling => "本门户如何处理", "How this portal handles it";
    AgrMeasured => "本门户计量", "Measured here";
    AgrStated => "服务商声明的承诺", "The provider's stated commitment";
    AgrNotMeasurable => "无法从本门户收到的数据计量", "Not measurable from the data this portal receives";
    AgrOpen => "打开“{view}”", "Open {view}";
    AgrFacts => "协议所述事实", "The agreement's own facts";
    EntCreditWhyBare => "{month}：{units} 次宕机 × 月平均签约 {average} 份（{n} 个月共 {sum} 份）= {contracts} 份。", "{month}: {units} unit(s) × a monthly average of {average} contracts ({sum} signed in {n} month(s)) = {contracts} contracts.";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_has_text_in_every_locale() {
        for &(name, k) in ALL_KEYS {
            for l in Locale::ALL {
                assert!(!l.t(k).trim().is_empty(), "{name} {}", l.tag());
            }
        }
    }

    #[test]
    fn locales_are_columns_in_order() {
        for (i, l) in Locale::ALL.into_iter().enumerate() {
            assert_eq!(l as usize, i);
        }
        assert_eq!(Locale::ZhCn.t(Key::Title), "SLA 服务报告");
        assert_eq!(Locale::En.t(Key::Title), "SLA report");
        assert_eq!(Locale::En.t(Key::ClaimsLoading), "Loading your claims…");
    }

    #[test]
    fn placeholders_match_between_locales() {
        // A placeholder present in one language but not the other would drop a figure.
        let names = |s: &str| {
            let mut v: Vec<String> = s
                .split('{')
                .skip(1)
                .filter_map(|p| p.split_once('}').map(|(n, _)| n.to_string()))
                .collect();
            v.sort();
            v
        };
        for &(name, k) in ALL_KEYS {
            for l in Locale::ALL {
                assert_eq!(
                    names(l.t(k)),
                    names(Locale::ZhCn.t(k)),
                    "{name} {}",
                    l.tag()
                );
            }
        }
    }

    #[test]
    fn locale_tags() {
        // What the widget speaks, however the host spells it.
        assert_eq!(Locale::parse("en-GB"), Some(Locale::En));
        assert_eq!(Locale::parse("EN"), Some(Locale::En));
        assert_eq!(Locale::parse("en_US"), Some(Locale::En));
        assert_eq!(Locale::parse("zh"), Some(Locale::ZhCn));
        assert_eq!(Locale::parse("zh-CN"), Some(Locale::ZhCn));
        assert_eq!(Locale::parse(" zh-cn "), Some(Locale::ZhCn));
        assert_eq!(Locale::parse("zh-Hans"), Some(Locale::ZhCn));
        assert_eq!(Locale::parse("zh-Hans-CN"), Some(Locale::ZhCn));
        // Traditional Chinese is not Simplified Chinese, nor is Japanese: the host decides.
        assert_eq!(Locale::parse("zh-TW"), None);
        assert_eq!(Locale::parse("zh-Hant-HK"), None);
        assert_eq!(Locale::parse("ja"), None);
        assert_eq!(Locale::parse("ja-JP"), None);
        // Not a tag at all.
        assert_eq!(Locale::parse(""), None);
        assert_eq!(Locale::parse("english"), None);
        assert_eq!(Locale::parse("zh-CN!"), None);
        assert_eq!(Locale::parse("-"), None);
        assert_eq!(Locale::parse("zh-"), None);
        assert_eq!(
            Locale::En.fill(Key::BudgetUsed, &[("used", "12"), ("budget", "4.46")]),
            "12 of 4.46 minutes used"
        );
    }
}
