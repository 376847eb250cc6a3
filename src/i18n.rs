//! Every user-visible string, in zh-CN and en: one catalogue so no view carries literal text.

/// The widget's display language. `zh-CN` is the default (the agreement's own language).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Locale {
    #[default]
    ZhCn,
    En,
}

impl Locale {
    /// Reads a BCP 47 tag; anything starting with `en` is English, everything else zh-CN.
    pub fn parse(tag: &str) -> Locale {
        if tag.trim().to_ascii_lowercase().starts_with("en") {
            Locale::En
        } else {
            Locale::ZhCn
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

macro_rules! catalogue {
    ($($key:ident => $zh:expr, $en:expr;)*) => {
        /// A message of the catalogue.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Key { $($key),* }

        /// Every key, for the completeness test.
        pub const ALL_KEYS: &[Key] = &[$(Key::$key),*];

        impl Locale {
            /// The message text in this locale.
            pub fn t(self, key: Key) -> &'static str {
                match (self, key) {
                    $((Locale::ZhCn, Key::$key) => $zh, (Locale::En, Key::$key) => $en,)*
                }
            }
        }
    };
}

catalogue! {
    Title => "SLA 服务报告", "SLA report";
    TabsLabel => "报告视图", "Report views";
    TabOverview => "概览", "Overview";
    TabAvailability => "可用性", "Availability";
    TabPeriods => "服务周期", "Periods";
    TimesIn => "时间均为合同时区 {tz}", "Times in the contract timezone, {tz}";
    AsOf => "数据截至 {when}", "Data as of {when}";
    ContractLine => "{client} · 合同 {contract}（{start} 至 {end}）", "{client} · contract {contract} ({start} to {end})";

    // Loading
    LoadingTitle => "正在加载报告数据", "Loading the report data";
    LoadingUsage => "用量数据", "Usage data";
    LoadingIncidents => "故障记录", "Incident records";
    LoadingPolicy => "协议参数", "Agreement policy";
    BytesOf => "已接收 {received} / {total}", "{received} of {total} received";
    BytesReceived => "已接收 {received}", "{received} received";
    Waiting => "等待中", "waiting";
    Done => "完成", "done";
    Computing => "正在计算报告…", "Computing the report…";

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
    BreachedCount => "违约周期", "Breached periods";
    BreachedOf => "{n} / {total} 个已评判周期", "{n} of {total} judged periods";
    Durability => "数据持久性", "Data durability";
    DurabilityMet => "达标", "met";
    DurabilityNotMet => "未达标", "not met";
    NoData => "无数据", "no data";
    VerdictKept => "达标", "Agreement kept";
    VerdictBreached => "违约", "Agreement breached";
    VerdictNotJudged => "不评判", "Not judged";
    WhyBreachedOne => "1 次故障，计入 {minutes} 分钟不可用；{days} 天的月份停机预算为 {budget} 分钟。", "One outage of {minutes} counted minutes; the budget for a {days}-day month is {budget} minutes.";
    WhyBreachedMany => "{n} 次故障，共计入 {minutes} 分钟不可用；{days} 天的月份停机预算为 {budget} 分钟。", "{n} outages of {minutes} counted minutes in all; the budget for a {days}-day month is {budget} minutes.";
    WhyExcluded => "（已排除 {excluded} 分钟维护或免责时间）", " ({excluded} excluded minutes left out)";
    WhyKept => "计入不可用 {minutes} 分钟，在 {budget} 分钟的停机预算之内。", "{minutes} counted minutes of downtime, within the budget of {budget} minutes.";
    WhyAllExcluded => "该月全部时间均被排除，不判定违约。", "Every minute of this month was excluded, so it cannot breach.";
    BudgetExplain => "目标 {target} 意味着每 10,000 分钟最多 1 分钟不可用；连续 {min} 分钟以上的不可用才算一次故障。", "A target of {target} allows about 1 unavailable minute in 10,000; only a run of {min} minutes or more counts as an outage.";
    Warnings => "数据提示", "Data notes";

    // Status and results
    StatusJudged => "已评判", "judged";
    StatusPartial => "非完整月份", "partial";
    StatusInProgress => "进行中", "in progress";

    // Charts
    ChartMonthly => "月度可用性与目标", "Monthly availability against the target";
    ChartDaily => "近 90 天每日可用性", "Daily availability, last 90 days";
    ChartDailyHelp => "用左右方向键逐日查看，Home/End 跳到首尾，回车选择该月。", "Use the arrow keys to move between days, Home/End to jump, Enter to select the month.";
    ChartTimeline => "{month} 分钟级时间线", "Minute timeline of {month}";
    ChartMetering => "近 24 个月签约与失败份数", "Signed and failed contracts, last 24 months";
    DataTable => "数据表", "Data table";
    DayAnnounceOne => "{day}：{availability}，1 次故障", "{day}: {availability}, 1 outage";
    DayAnnounceMany => "{day}：{availability}，{n} 次故障", "{day}: {availability}, {n} outages";
    DayAnnounceNone => "{day}：{availability}，无故障", "{day}: {availability}, no outage";
    LegendUp => "可用", "up";
    LegendOutage => "故障（计入）", "outage (counted)";
    LegendBlip => "短暂异常（不足一次故障）", "short dip (not an outage)";
    LegendExcluded => "已排除", "excluded";
    LegendNoData => "无数据", "no data";
    LegendTarget => "目标", "target";
    LegendMet => "达标", "met";
    LegendBreached => "违约", "breached";
    LegendNotJudged => "非完整或进行中", "partial or in progress";
    LegendSigned => "签约份数", "signed";
    LegendFailed => "签约失败份数", "failed";
    SelectMonth => "选择月份", "Select month";
    NoMonth => "没有可显示的月份", "No month to show";
    NoDays => "没有每日数据", "No daily data";
    NoMetering => "没有签约计量数据", "No signing data";
    OutagesOfMonth => "{month} 的故障", "Outages in {month}";
    NoOutages => "本月没有故障", "No outages this month";
    Date => "日期", "Date";

    // Tables
    Month => "月份", "Month";
    Status => "状态", "Status";
    Availability => "可用性", "Availability";
    Unavailable => "不可用分钟", "Unavailable min";
    Excluded => "排除分钟", "Excluded min";
    NoDataMin => "无数据分钟", "No-data min";
    Measured => "计量分钟", "Measured min";
    Outages => "故障", "Outages";
    Signed => "签约", "Signed";
    Failed => "失败", "Failed";
    Result => "结果", "Result";
    OutageId => "故障编号", "Outage";
    Start => "开始", "Start";
    End => "结束", "End";
    Minutes => "分钟", "Minutes";
    Counted => "计入分钟", "Counted min";
    Compensable => "可获补偿", "Compensable";
    Yes => "是", "yes";
    No => "否", "no";
    Minute => "分钟", "min";
    RowSelectHint => "点击某行可在可用性页查看该月时间线", "Select a row to see that month's timeline on the Availability tab";

    // Exports
    Exports => "导出", "Export";
    ExportPeriods => "周期 CSV", "Periods CSV";
    ExportOutages => "故障 CSV", "Outages CSV";
    ExportJson => "报告 JSON", "Report JSON";
    Print => "打印月度报表", "Print monthly statement";
    StatementTitle => "{month} 服务月报", "Service statement for {month}";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_has_text_in_both_locales() {
        for &k in ALL_KEYS {
            assert!(!Locale::ZhCn.t(k).trim().is_empty(), "{k:?} zh-CN");
            assert!(!Locale::En.t(k).trim().is_empty(), "{k:?} en");
        }
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
        for &k in ALL_KEYS {
            assert_eq!(names(Locale::ZhCn.t(k)), names(Locale::En.t(k)), "{k:?}");
        }
    }

    #[test]
    fn locale_tags() {
        assert_eq!(Locale::parse("en-GB"), Locale::En);
        assert_eq!(Locale::parse("zh-CN"), Locale::ZhCn);
        assert_eq!(Locale::parse(""), Locale::ZhCn);
        assert_eq!(
            Locale::En.fill(Key::BudgetUsed, &[("used", "12"), ("budget", "4.46")]),
            "12 of 4.46 minutes used"
        );
    }
}
