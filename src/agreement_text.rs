//! The agreement's clauses, §1 to §6, in its own words (zh-CN) and in English, with how this portal handles each.
//!
//! The zh-CN text condenses the agreement's own sentences and keeps its figures; the
//! English is a translation of it. Nothing here is a promise the agreement does not make.

use crate::tab::Tab;

/// How the portal treats a clause.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Handling {
    /// The portal computes it from the data it receives, on this tab.
    Measured(Tab),
    /// The provider states it; the portal repeats the agreement's own facts.
    Stated,
    /// Nothing the portal receives could show whether it is kept.
    NotMeasurable,
}

/// One clause: its number, title, promise, the portal's handling, and a note on that
/// handling (what exactly is measured, or why it cannot be). `facts` are the
/// agreement's own facts, listed for a stated commitment.
#[derive(Debug, Clone, Copy)]
pub struct Clause {
    pub number: &'static str,
    pub title: (&'static str, &'static str),
    pub promise: (&'static str, &'static str),
    pub handling: Handling,
    pub facts: &'static [(&'static str, &'static str)],
    pub note: (&'static str, &'static str),
}

/// A chapter heading above its clauses (§2, §3, §4 have sub-clauses).
#[derive(Debug, Clone, Copy)]
pub struct Chapter {
    pub number: &'static str,
    pub title: (&'static str, &'static str),
    pub clauses: &'static [Clause],
}

const NONE: &[(&str, &str)] = &[];

pub const AGREEMENT: &[Chapter] = &[
    Chapter {
        number: "1",
        title: ("协议签署", "Signing"),
        clauses: &[Clause {
            number: "1",
            title: ("协议签署", "Signing"),
            promise: (
                "本《电子签约平台服务等级协议》（SLA）是甲方与乙方杭州尚尚签网络科技有限公司（上上签）签订的《上上签电子签约平台服务协议》条款的一部分。",
                "This e-signature platform service level agreement (SLA) is part of the terms of the Bestsign e-signature platform service agreement signed by the client (Party A) and Hangzhou Shangshangqian Network Technology Co., Ltd. (Bestsign, Party B).",
            ),
            handling: Handling::Stated,
            facts: &[(
                "SLA 属于双方签订的《上上签电子签约平台服务协议》",
                "The SLA belongs to the service agreement both parties signed",
            )],
            note: (
                "本门户页首显示的合同编号与服务期来自您的合同数据。",
                "The contract id and term at the top of this portal come from your contract data.",
            ),
        }],
    },
    Chapter {
        number: "2",
        title: ("服务范围", "Scope of service"),
        clauses: &[
            Clause {
                number: "2.1",
                title: ("系统对接服务", "System integration"),
                promise: (
                    "上上签提供标准的 API 或 SDK 及各种辅助工具，默认通过远程服务（自助服务、智能解答、服务工单、在线技术支持等）协助甲方完成对接、诊断问题并给出解决建议；现场支持等需与商务人员协商约定。",
                    "Bestsign provides a standard API or SDK and tools, and by default helps the client integrate, diagnose problems and suggest solutions remotely (self-service, smart answers, service tickets, online technical support); on-site support is by arrangement with the account manager.",
                ),
                handling: Handling::NotMeasurable,
                facts: NONE,
                note: (
                    "本门户只接收用量、宕机与故障记录，不接收对接服务的记录。",
                    "This portal receives usage, outage and incident records, not records of integration support.",
                ),
            },
            Clause {
                number: "2.2",
                title: ("生产环境切换服务", "Switch to production"),
                promise: (
                    "甲方完成开发测试并申请切换后，上上签通过远程服务提供切换指导，确保接口服务正常稳定；非工作日切换请提前三天预约。",
                    "Once the client has finished testing and asks to switch to production, Bestsign guides the switch remotely and ensures the interface works normally and stably; a switch on a non-working day must be booked three days ahead.",
                ),
                handling: Handling::NotMeasurable,
                facts: NONE,
                note: (
                    "切换申请与指导不在本门户收到的数据中。",
                    "Switch requests and guidance are not in the data this portal receives.",
                ),
            },
            Clause {
                number: "2.3",
                title: ("系统运行服务", "Operation"),
                promise: (
                    "保障甲方正常使用电子签约功能；通过热线电话、商务或项目管理联系人、线上工具等渠道受理咨询和投诉；发生紧急事件时按照 SLA 提供服务。",
                    "Bestsign keeps the e-signing functions usable for the client, takes questions and complaints through the hotlines, account and project contacts and online tools, and handles emergencies according to this SLA.",
                ),
                handling: Handling::Measured(Tab::Incidents),
                facts: NONE,
                note: (
                    "紧急事件按 §3.2 的响应与恢复时间计量；咨询与投诉本身不在本门户数据中。",
                    "Emergencies are measured against the response and recovery times of §3.2; questions and complaints themselves are not in this portal's data.",
                ),
            },
        ],
    },
    Chapter {
        number: "3",
        title: ("服务等级", "Service levels"),
        clauses: &[
            Clause {
                number: "3.1",
                title: ("服务时间", "Service hours"),
                promise: (
                    "系统对接与生产切换服务、网站服务热线：5×9（星期一至星期五 9:00–18:00，国家法定节假日除外）；接口故障热线：7×24（星期一至星期日）。上述时间以外的非工作日服务需求，请提前三天通过商务人员、项目管理渠道预约。",
                    "Integration and switch services and the website hotline: 5×9 (Monday to Friday, 9:00–18:00, except public holidays); the interface-fault hotline: 7×24 (Monday to Sunday). Service on other, non-working days must be booked three days ahead through the account manager or project management.",
                ),
                handling: Handling::Measured(Tab::Incidents),
                facts: NONE,
                note: (
                    "“联系方式与响应”按工作日历显示现在哪条热线开放；三级故障的计时只计工作时间。",
                    "\"Contacts and response\" shows which hotline is open now, by the working calendar; level-3 clocks count business hours only.",
                ),
            },
            Clause {
                number: "3.2",
                title: ("服务等级及响应处理时间", "Fault levels, response and recovery times"),
                promise: (
                    "一级故障（核心功能无法使用）：响应 ≤ 15 分钟，恢复 ≤ 2 小时；二级故障（次要功能无法使用或概率性出现问题）：响应 ≤ 30 分钟，恢复 ≤ 6 小时；三级故障（一般性客户使用问题）：响应 ≤ 30 分钟，解决建议 ≤ 24 小时。第三方供应商的故障恢复时间不包含在目标内。",
                    "Level 1 (core function unusable): response ≤ 15 min, recovery ≤ 2 h; level 2 (secondary function unusable or intermittent): response ≤ 30 min, recovery ≤ 6 h; level 3 (ordinary usage problem): response ≤ 30 min, advice ≤ 24 h. Recovery time of third-party suppliers is not part of these targets.",
                ),
                handling: Handling::Measured(Tab::Incidents),
                facts: NONE,
                note: (
                    "每起故障的响应与恢复时间按级别考核，第三方暂停时间不计入恢复时间。",
                    "Each incident's response and recovery times are judged by level; third-party pauses are left out of the recovery time.",
                ),
            },
        ],
    },
    Chapter {
        number: "4",
        title: ("服务指标", "Service indicators"),
        clauses: &[
            Clause {
                number: "4.1",
                title: ("数据持久性", "Data durability"),
                promise: (
                    "数据持久性不低于 99.99999999%，按服务周期（自然月，不满一个月不计为一个服务周期）统计。",
                    "Data durability of at least 99.99999999 %, per service period (a calendar month; a part month is not a service period).",
                ),
                handling: Handling::Measured(Tab::Periods),
                facts: NONE,
                note: (
                    "按每月存储与丢失的文件数计算，见“服务周期”表的“数据持久性”列。",
                    "Computed from each month's stored and lost documents: see the Data durability column of the Periods table.",
                ),
            },
            Clause {
                number: "4.2",
                title: ("数据可销毁性", "Data destruction"),
                promise: (
                    "用户主动删除合同、服务期满后要求销毁，或合同各方书面一致要求销毁时，上上签将自动或在约定期限内彻底清除对应合同，使其无法恢复。",
                    "When the user deletes a contract, asks for destruction after the term, or all parties to a contract agree in writing, Bestsign erases it automatically or within the agreed time so that it cannot be recovered.",
                ),
                handling: Handling::NotMeasurable,
                facts: NONE,
                note: (
                    "销毁请求与执行记录不在本门户收到的数据中。",
                    "Destruction requests and their execution are not in the data this portal receives.",
                ),
            },
            Clause {
                number: "4.3",
                title: ("数据可迁移性", "Data portability"),
                promise: (
                    "用户可通过 API 或 Web 控制台自助下载合同文件，迁移保存至目标存储空间。",
                    "Users can download their contract files themselves through the API or the web console and move them to storage of their choice.",
                ),
                handling: Handling::NotMeasurable,
                facts: NONE,
                note: (
                    "下载功能在上上签的 API 与控制台中，本门户不接收其记录。",
                    "Downloads happen in Bestsign's API and console; this portal receives no record of them.",
                ),
            },
            Clause {
                number: "4.4",
                title: ("数据私密性", "Data privacy"),
                promise: (
                    "通过 KMC（密钥管理中心）与 SaaS 会员权限体系保证同一资源池用户数据互不可见；合同文件一文一密加密存储；禁止运维人员接触合同文件，并通过堡垒机记录和审计运维操作。",
                    "A key management centre (KMC) and the SaaS membership permissions keep users of one resource pool from seeing each other's data; each contract file is encrypted with its own key; operations staff may not touch contract files, and a bastion host records and audits their actions.",
                ),
                handling: Handling::Stated,
                facts: &[
                    ("合同文件一文一密加密存储", "Each contract file is encrypted with its own key"),
                    ("运维操作经堡垒机记录和审计", "Operations staff actions are recorded and audited through a bastion host"),
                ],
                note: ("", ""),
            },
            Clause {
                number: "4.5",
                title: ("数据知情权", "Right to know where data is"),
                promise: (
                    "用户对数据、备份及容灾数据所在数据中心地理位置、数据备份数量具有知情权；备份数据默认与源数据存储在同一数据中心，容灾数据存储于容灾数据中心；除法律法规或监管、审计要求外，用户的个人隐私数据和行为日志不会提供给第三方服务供应商。",
                    "Users have the right to know where their data, backups and disaster-recovery data are kept and how many backups exist; backups are kept in the same data centre as the source data, disaster-recovery data in the disaster-recovery centre; apart from legal, regulatory or audit requirements, personal data and behaviour logs are not given to third-party suppliers.",
                ),
                handling: Handling::Stated,
                facts: &[
                    ("数据中心位于上海", "Data centre in Shanghai"),
                    ("容灾数据中心位于深圳", "Disaster-recovery data centre in Shenzhen"),
                    ("自动数据备份，备份与源数据同在一个数据中心", "Automatic backups, kept in the same data centre as the source data"),
                ],
                note: ("", ""),
            },
            Clause {
                number: "4.6",
                title: ("服务可审查性", "Auditability"),
                promise: (
                    "因法律法规、监管、安全合规、审计或取证调查等需要，或客户怀疑存在安全威胁需要知情时，在流程和手续完备的情况下，上上签可以提供用户访问日志、关键组件运行日志、运维人员操作记录、用户操作记录等信息。",
                    "Where laws, regulators, security compliance, audits or forensic investigations require it, or the client suspects a security threat and needs to know, Bestsign can provide, with the proper procedure, user access logs, run logs of key components, operations staff records and user operation records.",
                ),
                handling: Handling::Stated,
                facts: &[(
                    "日志按申请提供（访问日志、组件运行日志、运维与用户操作记录）",
                    "Logs on request (access logs, component run logs, operations and user records)",
                )],
                note: ("", ""),
            },
            Clause {
                number: "4.7",
                title: ("服务功能", "Service functions"),
                promise: (
                    "提供具有法律效力、可随时随地在线签署的电子签名，可通过 Web 或 API 开通和使用，并提供实名认证、合同存管、合同查询和下载、合同验签等服务；所有可能影响用户的功能性变更都将向用户公告。",
                    "Legally valid electronic signatures, online anywhere and any time, through the web or the API, with real-name verification, contract custody, search and download, and signature verification; every functional change that may affect users will be announced.",
                ),
                handling: Handling::NotMeasurable,
                facts: NONE,
                note: (
                    "功能范围与变更公告不在本门户收到的数据中；功能是否可用由“可用性”计量。",
                    "The range of functions and change notices are not in this portal's data; whether the service was usable is measured under Availability.",
                ),
            },
            Clause {
                number: "4.8",
                title: ("服务可用性", "Service availability"),
                promise: (
                    "服务可用性不低于 99.99%：现网 90% 以上的用户请求得到正常响应即为可用；可用性 = 服务可用时间 / (服务可用时间 + 服务不可用时间) × 100%，按自然月统计，以分钟计时，连续 5 分钟或更长时间不可用方计为不可用时间，有计划的扩容、升级、维护不计入不可用时间。",
                    "Availability of at least 99.99 %: the service is available when 90 % or more of user requests are answered normally; availability = available time / (available + unavailable time) × 100 %, per calendar month, counted in minutes; only 5 or more consecutive unavailable minutes count as unavailable time; planned scale-outs, upgrades and maintenance are not counted.",
                ),
                handling: Handling::Measured(Tab::Availability),
                facts: NONE,
                note: (
                    "按分钟计量，每月评判，并列出每条排除时间记录。",
                    "Measured minute by minute, judged each month, with every excluded-time record listed.",
                ),
            },
            Clause {
                number: "4.9",
                title: ("服务资源调配能力", "Resource scaling"),
                promise: (
                    "根据平台运行指标主动升级或在线扩容（应用服务器、数据库和其他资源），扩容在 30 分钟内完成，每次扩容比例为 25%。",
                    "Bestsign upgrades or scales out online (application servers, databases and other resources) by the platform's metrics; a scale-out completes within 30 minutes and adds 25 % each time.",
                ),
                handling: Handling::NotMeasurable,
                facts: NONE,
                note: (
                    "扩容的耗时与比例不在本门户收到的数据中（扩容维护窗口本身列在“排除时间”中）。",
                    "How long a scale-out took and how much it added are not in this portal's data (the scale-out maintenance windows themselves are listed under Excluded time).",
                ),
            },
            Clause {
                number: "4.10",
                title: ("故障恢复能力", "Fault recovery capability"),
                promise: (
                    "提供 7×24 小时运行维护，具备秒级故障监控、业务可用性监控、语音/IM/短信/邮件多重告警、快速定位与快速恢复等故障响应机制；恢复手段包括在线扩容、在线/停机迁移、自动切换以及降级恢复等。",
                    "7×24 operations with second-level fault monitoring, business availability monitoring, voice/IM/SMS/e-mail alerts, fast diagnosis and recovery; recovery means include online scale-out, online or offline migration, automatic failover and degraded recovery.",
                ),
                handling: Handling::NotMeasurable,
                facts: NONE,
                note: (
                    "监控与告警机制不在本门户数据中；各起故障的恢复时间见 §3.2。",
                    "The monitoring and alerting machinery is not in this portal's data; each incident's recovery time is under §3.2.",
                ),
            },
            Clause {
                number: "4.11",
                title: ("网络吞吐能力", "Network capacity"),
                promise: (
                    "平台入口网络为阿里云金融云 BGP 网络，单口带宽 5Gb，可聚合扩展；接入电信、联通、移动、铁通、教育网等链路。",
                    "The platform's entry network is Alibaba Cloud finance-cloud BGP, 5 Gb per port and aggregatable, connected to China Telecom, Unicom, Mobile, Tietong, the education network and others.",
                ),
                handling: Handling::Stated,
                facts: &[
                    ("阿里云金融云 BGP 网络", "Alibaba Cloud finance-cloud BGP network"),
                    ("单口带宽 5Gb，可聚合扩展", "5 Gb per port, aggregatable"),
                ],
                note: ("", ""),
            },
            Clause {
                number: "4.12",
                title: ("服务计量准确性", "Metering accuracy"),
                promise: (
                    "具备准确、透明的计量计费系统，根据用户实际使用合同份数据实结算、实时扣费，计费标准以合作协议为准，计费数据至少保留 2 年。",
                    "An accurate and transparent metering and billing system settles by the contracts actually used and charges in real time, at the prices of the cooperation agreement; billing data is kept for at least 2 years.",
                ),
                handling: Handling::Stated,
                facts: &[
                    ("按实际使用合同份数结算，实时扣费", "Settled by the contracts actually used, charged in real time"),
                    ("计费数据至少保留 2 年", "Billing data kept for at least 2 years"),
                ],
                note: (
                    "“可用性”页显示收到的最近 24 个月签约与失败份数。",
                    "The Availability tab shows the signed and failed counts received for the last 24 months.",
                ),
            },
            Clause {
                number: "4.13",
                title: ("平台架构健壮性", "Platform architecture"),
                promise: (
                    "基础设施采用阿里云金融云，实现同城双活、异地跨云容灾，即两地三中心架构；同城双活数据中心间直线距离不少于 10 公里，异地容灾中心与主数据中心直线距离不少于 40 公里，数据通过专线实时同步；全负载均衡，所有服务冗余部署无单点。",
                    "Infrastructure on Alibaba Cloud finance cloud, active-active in one city plus cross-cloud disaster recovery in another: two regions, three centres; the active-active centres are at least 10 km apart, the recovery centre at least 40 km from the main one, synchronised in real time over dedicated lines; fully load-balanced, every service redundant with no single point of failure.",
                ),
                handling: Handling::Stated,
                facts: &[
                    ("两地三中心：同城双活 + 异地跨云容灾", "Two regions, three centres: active-active in one city, cross-cloud recovery in another"),
                    ("同城双活中心相距不少于 10 公里，容灾中心距主中心不少于 40 公里", "Active-active centres ≥ 10 km apart; recovery centre ≥ 40 km from the main one"),
                    ("专线实时同步，无单点", "Real-time sync over dedicated lines; no single point of failure"),
                ],
                note: ("", ""),
            },
            Clause {
                number: "4.14.1",
                title: ("赔偿范围", "What is compensated"),
                promise: (
                    "因平台服务故障、设计缺陷或操作不当导致服务无法使用时，对不可用时间或签约失败合同份数进行赔偿，但不包括：(1) 预先通知的系统维护（升级、维护和模拟故障演练）；(2) 上上签所属服务以外的网络、设备故障或配置调整；(3) 第 5 章限制条款的情况；(4) 其他非上上签原因。",
                    "Unavailable time or failed contracts caused by platform faults, design defects or mishandling are compensated, except time caused by (1) system maintenance announced in advance (upgrades, maintenance, fault drills); (2) networks, equipment or configuration outside Bestsign's services; (3) the cases of chapter 5; (4) other causes not Bestsign's.",
                ),
                handling: Handling::Measured(Tab::Availability),
                facts: NONE,
                note: (
                    "“排除时间”逐条列出维护窗口与免责时段、通知时间及是否采纳。",
                    "Excluded time lists each maintenance window and exclusion, when it was announced and whether it was applied.",
                ),
            },
            Clause {
                number: "4.14.2",
                title: ("赔偿方案", "Remedies"),
                promise: (
                    "平台发生宕机，即平台可用性达不到服务可用性承诺时，甲方可选择任一方式申请补偿：(1) 宕机次数一次，延长一个月服务周期；(2) 宕机次数一次，赔偿一个月服务周期的当年度月平均签约份数。赔偿均不折算现金。",
                    "When the platform is down, that is, its availability falls short of the promise, the client may claim either remedy: (1) one month of service extension per 宕机; (2) per 宕机, the year's monthly average of signed contracts. Neither converts to cash.",
                ),
                handling: Handling::Measured(Tab::Claims),
                facts: NONE,
                note: (
                    "“补偿申请”页按报告计算每种补偿并可在线申请。",
                    "The Compensation tab computes each remedy from the report and files a claim.",
                ),
            },
        ],
    },
    Chapter {
        number: "5",
        title: ("限制条款", "Limitations"),
        clauses: &[Clause {
            number: "5",
            title: ("限制条款", "Limitations"),
            promise: (
                "本 SLA 不适用于：不可抗力及意外事件（含上上签数据中心以外的网络或设备故障）；使用非上上签提供的服务、硬件或软件；以与服务功能或上上签指导不一致的方式使用；未听取上上签修改建议；错误的输入、指令或参数。",
                "The SLA does not apply to: force majeure and accidents (including network or equipment faults outside Bestsign's data centres); services, hardware or software not provided by Bestsign; use inconsistent with the service or with Bestsign's guidance; not following Bestsign's advice to change the use; wrong input, instructions or parameters.",
            ),
            handling: Handling::Measured(Tab::Incidents),
            facts: NONE,
            note: (
                "因这些原因的免责时段不计入不可用时间（见“排除时间”），因这些原因的一级、二级故障不参与考核。",
                "Exclusions for these causes are left out of unavailable time (see Excluded time), and level-1 and level-2 incidents with these causes are not assessed.",
            ),
        }],
    },
    Chapter {
        number: "6",
        title: ("服务变更、终止条款", "Changes and termination"),
        clauses: &[Clause {
            number: "6",
            title: ("服务变更、终止条款", "Changes and termination"),
            promise: (
                "上上签有权根据变化适时调整本服务等级协议，并及时通过公告、邮件或书面通知提示修改内容；服务期限、变更与终止的前提条件及双方权利义务与《上上签电子签约平台服务协议》一致。",
                "Bestsign may adjust this SLA as things change, and will promptly tell users what changed by announcement, e-mail or written notice; the term, the conditions for change and termination and both parties' rights and duties follow the service agreement.",
            ),
            handling: Handling::Measured(Tab::Availability),
            facts: NONE,
            note: (
                "收到的协议参数带有版本时，每个月按其开始时有效的版本评判，并标明所用版本；通知本身不在本门户数据中。",
                "When the policy this portal receives has versions, each month is judged by the version in force at its start, and the version is shown; the notices themselves are not in this portal's data.",
            ),
        }],
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_clause_of_the_agreement_is_listed_once() {
        let numbers: Vec<&str> = AGREEMENT
            .iter()
            .flat_map(|c| c.clauses.iter().map(|c| c.number))
            .collect();
        // The agreement's table of contents: 1, 2.1–2.3, 3.1–3.2, 4.1–4.13, 4.14.1–4.14.2, 5, 6.
        let mut expected = vec!["1", "2.1", "2.2", "2.3", "3.1", "3.2"];
        let fours: Vec<String> = (1..=13).map(|n| format!("4.{n}")).collect();
        expected.extend(fours.iter().map(String::as_str));
        expected.extend(["4.14.1", "4.14.2", "5", "6"]);
        assert_eq!(numbers, expected);
    }

    #[test]
    fn every_text_has_both_languages_and_stated_clauses_have_facts() {
        for ch in AGREEMENT {
            for c in ch.clauses {
                for (zh, en) in [c.title, c.promise] {
                    assert!(!zh.is_empty() && !en.is_empty(), "§{}", c.number);
                }
                assert_eq!(c.note.0.is_empty(), c.note.1.is_empty(), "§{}", c.number);
                if c.handling == Handling::Stated {
                    assert!(!c.facts.is_empty(), "§{} states facts", c.number);
                }
            }
        }
    }

    #[test]
    fn the_facts_the_issue_names_are_the_agreements() {
        let find = |n: &str| {
            AGREEMENT
                .iter()
                .flat_map(|c| c.clauses)
                .find(|c| c.number == n)
                .copied()
        };
        let facts = |n: &str| {
            find(n)
                .map(|c| c.facts.iter().map(|f| f.0).collect::<Vec<_>>().join(" "))
                .unwrap_or_default()
        };
        assert!(facts("4.5").contains("上海") && facts("4.5").contains("深圳"));
        assert!(facts("4.13").contains("两地三中心"));
        assert!(facts("4.12").contains("至少保留 2 年"));
        assert!(facts("4.6").contains("按申请提供"));
        assert_eq!(
            find("4.8").map(|c| c.handling),
            Some(Handling::Measured(Tab::Availability))
        );
    }
}
