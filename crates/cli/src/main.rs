//! `zizhu` (资助): the county's education poverty-alleviation aid system, on the command line.
//! Arguments become a validated command before any I/O; `main` returns the exit code:
//! 0 done, 1 rejected input (bad rows, failed policy cases), 2 fatal error.

mod cmd_admission;
mod cmd_bench;
mod cmd_bench_web;
mod cmd_complaint;
mod cmd_complaint_list;
mod cmd_data;
mod cmd_demo;
mod cmd_demo_admission;
mod cmd_demo_complaints;
mod cmd_demo_exchange;
mod cmd_demo_follow;
mod cmd_demo_pay;
mod cmd_demo_zero_fee;
mod cmd_dropout;
mod cmd_evaluate;
mod cmd_exchange;
mod cmd_pay;
mod cmd_policy;
mod cmd_recheck;
mod cmd_serve;
mod cmd_store;
mod cmd_user;
mod cmd_zero_fee;
mod config;
mod demo;
mod export;
mod ui;
mod zh_clap;

use chrono::NaiveDate;
#[allow(unused_imports)]
use clap::CommandFactory as _;
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use zizhu_domain::dropout::{CaseState, UserLevel};
use zizhu_domain::{ListKind, Term};

/// mimalloc instead of glibc's allocator: import and compute hand millions of small strings from
/// one thread to another, and glibc frees them slowly across threads (measured in BENCHMARKS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The embedded copy of the county's 2023 policy, used when no policy file is given and
/// `policy/2023.toml` is not in the current directory.
pub const EMBEDDED_POLICY: &str = include_str!("../../../policy/2023.toml");
pub const EMBEDDED_CASES: &str = include_str!("../../../policy/2023.cases.toml");

#[derive(Parser, Debug)]
#[command(
    name = "zizhu",
    version,
    about = "资助：县级教育扶贫学生资助与控辍保学系统"
)]
pub struct Cli {
    /// 数据库：sqlite:路径（默认 sqlite:zizhu.db）或 postgres://…
    #[arg(long, global = true, env = "ZIZHU_DATABASE_URL")]
    database: Option<String>,
    /// 政策文件（默认 policy/2023.toml，不存在时用程序内置的 2023 年政策）
    #[arg(long, global = true, env = "ZIZHU_POLICY")]
    policy: Option<PathBuf>,
    /// 操作人（写入审计日志）
    #[arg(long, global = true, env = "ZIZHU_ACTOR")]
    actor: Option<String>,
    /// 配置文件（默认当前目录下的 zizhu.toml，存在时读取）：database、policy、actor，命令行优先
    #[arg(long, global = true, env = "ZIZHU_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// 生成演示县（于都县）的样例数据，导入、计算 2023 年两个学期并输出报表
    Demo {
        /// 输出目录
        #[arg(long, default_value = "zizhu-demo")]
        dir: PathBuf,
        /// 每学期学生人数
        #[arg(long, default_value_t = 50_000)]
        students: usize,
        #[arg(long, default_value_t = 2023)]
        seed: u64,
    },
    /// 导入名单：schools students poor_households dibao tekun disabled urban_hardship college_admissions residents attendance payee_accounts admission_lines admission_applicants zero_fee_issues teachers teacher_exchanges
    Import {
        /// 名单类型
        #[arg(value_parser = parse_kind)]
        kind: ListKind,
        /// 要导入的文件（xlsx、xls、csv 或 txt，按内容识别格式和编码）
        file: PathBuf,
        /// 学期（导入学籍、在校学生名单时必填），如 2023-autumn
        #[arg(long, value_parser = parse_term)]
        term: Option<Term>,
        /// 只校验，不写入数据库
        #[arg(long)]
        dry_run: bool,
        /// 错误报告输出目录（默认当前目录）
        #[arg(long, default_value = ".")]
        report_dir: PathBuf,
    },
    /// 列出导入记录
    Imports,
    /// 计算一个学期的资助名单（匹配各部门名单、按政策计算、保存）
    Compute {
        /// 学期，如 2023-autumn 或 2023-spring
        #[arg(long, value_parser = parse_term)]
        term: Term,
    },
    /// 名单锁定后的调整：按现在的名单重新核算已锁定的学期，差额记为补发或追回（不改动已锁定的名单）
    Adjust {
        /// 学期，如 2023-autumn（须已审批锁定）
        #[arg(long, value_parser = parse_term)]
        term: Term,
        /// 只列出差额，不记录
        #[arg(long)]
        dry_run: bool,
    },
    /// 输出报表
    Report {
        #[command(subcommand)]
        which: ReportCmd,
    },
    /// 解释某人某学期每个项目发或不发的原因
    Explain {
        /// 身份证件号
        id: String,
        /// 学期，如 2023-autumn
        #[arg(long, value_parser = parse_term)]
        term: Term,
        /// 显示完整身份证件号（记入审计日志）
        #[arg(long)]
        full_id: bool,
    },
    /// 控辍保学：比对（scan）、超期（overdue）、统计（report）、台账（ledger、school-age）
    Dropout {
        #[command(subcommand)]
        which: DropoutCmd,
    },
    /// 一生一案台账：查看、变更状态、登记帮扶措施、指定责任人
    Case {
        #[command(subcommand)]
        which: CaseCmd,
    },
    /// 政策文件：检查与样例测试
    Policy {
        #[command(subcommand)]
        which: PolicyCmd,
    },
    /// 资金发放：按审批锁定的名单生成批次、银行代发文件、提交、回盘、重新发放、清退与追回
    Pay {
        #[command(subcommand)]
        which: PayCmd,
    },
    /// 师范“三定向”录取（三(二)）：降分后的录取分数线，达线考生与因降分达线的考生
    Admission {
        /// 年份，如 2023（默认：已导入的最近一年）
        #[arg(long, value_parser = parse_year)]
        year: Option<i32>,
        /// 分析表（xlsx），默认 <年份>-师范定向录取分析.xlsx
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// 零收费（三(一)）：建档立卡义务教育学生免费教辅、校服、意外伤害保险的发放覆盖（各校应享受、已发放、缺发）
    ZeroFee {
        /// 学年，如 2023（2023年秋季学期 + 2024年春季学期；默认：有发放记录的最近一学年）
        #[arg(long, value_parser = parse_year)]
        year: Option<i32>,
        /// 发放情况表（xlsx），默认 <学年>学年-零收费发放情况.xlsx
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// 城区教师到农村学校交流轮岗（三(三)）：各校各学年派出、接收人数，城区→农村占比，即将期满与已期满
    Exchange {
        /// 学年，如 2023（2023年9月1日至2024年8月31日；默认：截至日期所在学年）
        #[arg(long, value_parser = parse_year)]
        year: Option<i32>,
        /// 截至日期，如 2024-06-15（默认：今天）
        #[arg(long, value_parser = parse_day)]
        as_of: Option<NaiveDate>,
        /// 统计表（xlsx），默认 <学年>-交流轮岗.xlsx
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// 群众反映问题（四(三)）：受理登记（add）、交办（assign）、办理（start、resolve）、结案（close）、重新办理（reopen）、清单（list，--overdue 超期）、查看（show）
    Complaint {
        #[command(subcommand)]
        which: cmd_complaint::ComplaintCmd,
    },
    /// 学校工作考评（二(二) 纳入对学校工作考评）：名单按时确认、资助到位率、超期控辍案件、劝返率、零收费覆盖率、群众反映问题按期办结
    Evaluate {
        /// 学期，如 2023-autumn
        #[arg(long, value_parser = parse_term)]
        term: Term,
        /// 控辍保学案件按哪一天统计（默认学期最后一天，学期未结束时为今天）
        #[arg(long, value_parser = parse_day)]
        as_of: Option<NaiveDate>,
        /// 考评表（xlsx），默认 <学期>-学校工作考评.xlsx
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// 核查：发放覆盖核查（一个不落）、脱贫成果回查监测（四(二)）及整改
    Audit {
        #[command(subcommand)]
        which: AuditCmd,
    },
    /// 把整个数据库复制到另一个空数据库（如县里的 SQLite 文件迁到市/省的 PostgreSQL），逐表校验行数与 SHA-256
    MigrateStore {
        /// 源数据库：sqlite:路径 或 postgres://…
        #[arg(long)]
        from: String,
        /// 目标数据库（必须是空的）：sqlite:路径 或 postgres://…
        #[arg(long)]
        to: String,
    },
    /// 把当前数据库（--database）备份为一个新的 SQLite 文件，逐表校验
    Backup {
        /// 备份文件（不能已存在）
        file: PathBuf,
    },
    /// 把备份文件恢复到当前数据库（--database，必须是空的），逐表校验
    Restore {
        /// zizhu backup 生成的备份文件
        file: PathBuf,
    },
    /// 网页用户：添加（add）、列出（list）、接口令牌（token）、停用（disable）、启用（enable）、重设密码（passwd）
    User {
        #[command(subcommand)]
        which: UserCmd,
    },
    /// 启动网页服务（县、乡镇、学校工作人员用浏览器登录使用）
    Serve {
        /// 监听地址和端口
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: String,
        /// 不给 Cookie 加 Secure 标记（只用于没有 HTTPS 的内网；本机 localhost 访问不需要）
        #[arg(long)]
        insecure_cookies: bool,
    },
    /// 网页压力测试：生成演示县，N 个用户同时登录浏览资助名单，报告延迟分位数和错误
    BenchWeb {
        #[arg(long, default_value_t = 50_000)]
        students: usize,
        /// 同时在线的用户数
        #[arg(long, default_value_t = 100)]
        users: usize,
        /// 持续秒数
        #[arg(long, default_value_t = 30)]
        seconds: u64,
        /// 用户每看完一页平均停顿的毫秒数（0：不停顿，压到极限）
        #[arg(long, default_value_t = 2_000)]
        think_ms: u64,
        #[arg(long, default_value = "zizhu-bench-web")]
        dir: PathBuf,
    },
    /// 性能测试：生成 N 名学生，测量导入、匹配与计算
    Bench {
        #[arg(long, default_value_t = 100_000)]
        students: usize,
        #[arg(long, default_value = "zizhu-bench")]
        dir: PathBuf,
    },
}

#[derive(Subcommand, Debug)]
enum ReportCmd {
    /// 资助名单 XLSX（汇总表 + 每个项目一张表）
    Roster {
        /// 学期，如 2023-autumn
        #[arg(long, value_parser = parse_term)]
        term: Term,
        /// 公示版：身份证件号脱敏，不含困难类别
        #[arg(long)]
        public: bool,
        /// 输出文件（默认 <学期>-资助名单.xlsx）
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// 数据质量报告 XLSX
    Quality {
        /// 学期，如 2023-autumn
        #[arg(long, value_parser = parse_term)]
        term: Term,
        /// 输出文件（默认 <学期>-数据质量报告.xlsx）
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[derive(Subcommand, Debug)]
enum DropoutCmd {
    /// 比对户籍适龄人口、学籍和在校学生名单，找出疑似失学辍学儿童并立案（可重复运行）
    Scan {
        /// 比对基准日 YYYY-MM-DD（默认今天），据此判断义务教育适龄
        #[arg(long, value_parser = parse_day)]
        as_of: Option<NaiveDate>,
        /// 使用哪个学期的学籍和在校学生名单（默认基准日所在学期）
        #[arg(long, value_parser = parse_term)]
        term: Option<Term>,
    },
    /// 列出超期未办的案件和责任人
    Overdue {
        /// 按哪一天计算（默认今天）
        #[arg(long, value_parser = parse_day)]
        as_of: Option<NaiveDate>,
    },
    /// 按乡镇、学校统计（含劝返率、超期），并写出 XLSX（学校一表可用于考评）
    Report {
        /// 按哪一天计算超期（默认今天）
        #[arg(long, value_parser = parse_day)]
        as_of: Option<NaiveDate>,
        /// 输出文件（默认 控辍保学统计-<日期>.xlsx）
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// 导出一生一案台账 XLSX（每个案件一行：最新状态和最近措施）
    Ledger {
        /// 只导出某校（学校标识码）
        #[arg(long)]
        school: Option<String>,
        /// 只导出某乡镇
        #[arg(long)]
        township: Option<String>,
        /// 按哪一天计算超期（默认今天）
        #[arg(long, value_parser = parse_day)]
        as_of: Option<NaiveDate>,
        /// 输出文件（默认 一生一案台账-<范围>-<日期>.xlsx）
        #[arg(long)]
        out: Option<PathBuf>,
        /// 含完整身份证件号（记入审计日志）
        #[arg(long)]
        full_id: bool,
    },
    /// 导出适龄儿童台账 XLSX：户籍、建档立卡和学籍中的全部义务教育适龄儿童，及其就读、在校和案件情况
    SchoolAge {
        /// 基准日（默认今天），据此判断适龄
        #[arg(long, value_parser = parse_day)]
        as_of: Option<NaiveDate>,
        /// 使用哪个学期的学籍和在校学生名单（默认基准日所在学期）
        #[arg(long, value_parser = parse_term)]
        term: Option<Term>,
        /// 只导出某乡镇
        #[arg(long)]
        township: Option<String>,
        /// 输出文件（默认 适龄儿童台账-<范围>-<日期>.xlsx）
        #[arg(long)]
        out: Option<PathBuf>,
        /// 含完整身份证件号（记入审计日志）
        #[arg(long)]
        full_id: bool,
    },
}

#[derive(Subcommand, Debug)]
enum CaseCmd {
    /// 列出案件（身份证件号脱敏；查看记入审计日志）
    List {
        /// 只列某校（学校标识码）
        #[arg(long)]
        school: Option<String>,
        /// 只列某乡镇
        #[arg(long)]
        township: Option<String>,
        /// 只列某状态：suspected verifying not_dropout confirmed persuading returned home_teaching closed
        #[arg(long, value_parser = parse_state)]
        state: Option<CaseState>,
        /// 不列已销号的案件
        #[arg(long)]
        open: bool,
    },
    /// 查看一个案件及全部记录
    Show {
        /// 案件编号
        #[arg(value_parser = parse_case_id)]
        id: i64,
        /// 显示完整身份证件号（记入审计日志）
        #[arg(long)]
        full_id: bool,
    },
    /// 变更案件状态：verify confirm persuade not_dropout return home_teaching close reopen
    Move {
        /// 案件编号
        #[arg(value_parser = parse_case_id)]
        id: i64,
        /// 操作
        action: String,
        #[command(flatten)]
        args: cmd_dropout::MoveArgs,
        /// 操作人层级：school（学校）、township（乡镇）、county（县级，销号和重新核查须县级）
        #[arg(long, value_parser = cmd_dropout::parse_level, default_value = "school", env = "ZIZHU_LEVEL")]
        level: UserLevel,
        /// 操作日期（默认今天）
        #[arg(long, value_parser = parse_day)]
        on: Option<NaiveDate>,
    },
    /// 登记帮扶措施：home_visit phone_call persuasion placement home_teaching_session note
    Act {
        /// 案件编号
        #[arg(value_parser = parse_case_id)]
        id: i64,
        /// 措施
        kind: String,
        /// 情况说明
        #[arg(long)]
        note: String,
        /// 措施日期（默认今天）
        #[arg(long, value_parser = parse_day)]
        on: Option<NaiveDate>,
        /// 操作人层级
        #[arg(long, value_parser = cmd_dropout::parse_level, default_value = "school", env = "ZIZHU_LEVEL")]
        level: UserLevel,
    },
    /// 指定责任学校和包保责任人
    Assign {
        /// 案件编号
        #[arg(value_parser = parse_case_id)]
        id: i64,
        /// 责任学校（学校标识码）
        #[arg(long)]
        school: Option<String>,
        /// 包保教师
        #[arg(long)]
        teacher: Option<String>,
        /// 包保干部（乡镇）
        #[arg(long)]
        official: Option<String>,
        /// 指定日期（默认今天）
        #[arg(long, value_parser = parse_day)]
        on: Option<NaiveDate>,
        /// 操作人层级
        #[arg(long, value_parser = cmd_dropout::parse_level, default_value = "school", env = "ZIZHU_LEVEL")]
        level: UserLevel,
    },
}

/// A case number (案件编号): a positive integer.
fn parse_case_id(s: &str) -> Result<i64, String> {
    s.trim()
        .parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| format!("案件编号应为正整数，实为“{s}”"))
}

/// A day `YYYY-MM-DD` between 2000 and 2100 (the ledger's dates).
/// A year or school year as typed: `2023`, also `2023学年` or `2023-2024` (the school year that
/// begins in autumn 2023), from 2000 to 2100.
fn parse_year(s: &str) -> Result<i32, String> {
    let t = s.trim();
    let t = t.strip_suffix("学年").unwrap_or(t);
    let first = match t.split_once('-') {
        Some((a, b)) if b.parse::<i32>().ok() == a.parse::<i32>().ok().map(|y| y + 1) => a,
        _ => t,
    };
    match first.parse::<i32>() {
        Ok(y) if (2000..=2100).contains(&y) => Ok(y),
        _ => Err(format!(
            "年份应为 2000 至 2100 之间的四位数字（如 2023，学年也可写 2023-2024），实为“{}”",
            zizhu_domain::text::printable(s)
        )),
    }
}

fn parse_day(s: &str) -> Result<NaiveDate, String> {
    zizhu_domain::dates::parse_typed_day(s)
}

fn parse_state(s: &str) -> Result<CaseState, String> {
    CaseState::from_key(s)
        .or_else(|| CaseState::ALL.iter().copied().find(|x| x.zh() == s))
        .ok_or_else(|| {
            let all: Vec<String> = CaseState::ALL
                .iter()
                .map(|x| format!("{}（{}）", x.key(), x.zh()))
                .collect();
            format!("未知的案件状态 {s}；可用：{}", all.join("、"))
        })
}

#[derive(Subcommand, Debug)]
enum UserCmd {
    /// 添加用户；不给 --password-stdin 时生成初始密码并只显示一次
    Add {
        /// 用户名（英文字母、数字或 . _ -）
        username: String,
        /// 角色：county_admin（县级管理员）、township_officer（乡镇专干）、school_officer（学校资助专干）、auditor（审计监督）、finance_officer（财务人员：发放资金，不能审批）
        #[arg(long, value_parser = cmd_user::parse_role)]
        role: zizhu_domain::access::Role,
        /// 乡镇专干所属乡镇
        #[arg(long)]
        township: Option<String>,
        /// 学校资助专干所在学校（学校标识码）
        #[arg(long)]
        school: Option<String>,
        /// 姓名（默认同用户名）
        #[arg(long)]
        name: Option<String>,
        /// 从标准输入第一行读取密码（至少 10 个字符）
        #[arg(long)]
        password_stdin: bool,
    },
    /// 列出用户
    List,
    /// 为其他系统生成接口令牌（按该用户的角色和范围访问 /api/，只显示一次）
    Token {
        /// 用户名
        username: String,
        /// 令牌用途（哪个系统用）
        #[arg(long)]
        label: String,
    },
    /// 停用用户（不能再登录，登录会话和接口令牌都失效）
    Disable {
        /// 用户名
        username: String,
    },
    /// 重新启用已停用的用户
    Enable {
        /// 用户名
        username: String,
    },
    /// 重设密码，结束该用户的全部登录会话并解除登录锁定
    Passwd {
        /// 用户名
        username: String,
        /// 从标准输入第一行读取新密码
        #[arg(long)]
        password_stdin: bool,
    },
}

#[derive(Subcommand, Debug)]
enum PayCmd {
    /// 按审批锁定的资助名单生成发放批次（草稿）：同一资金来源、同一发放单位一个批次
    Batch {
        /// 学期，如 2023-autumn（须已审批锁定）
        #[arg(long, value_parser = parse_term)]
        term: Term,
    },
    /// 列出发放批次
    List {
        /// 学期，如 2023-autumn（默认全部）
        #[arg(long, value_parser = parse_term)]
        term: Option<Term>,
    },
    /// 生成银行代发文件（xlsx 和 csv，列按政策文件 [[payment.bank_format]]）
    File {
        /// 批次号
        #[arg(value_parser = parse_id)]
        batch: i64,
        /// 银行代发格式名称（默认政策文件中的第一个）
        #[arg(long)]
        format: Option<String>,
        /// 输出目录
        #[arg(long, default_value = ".")]
        out: PathBuf,
    },
    /// 登记批次已提交银行
    Submit {
        /// 批次号（zizhu pay list 中的编号）
        #[arg(value_parser = parse_id)]
        batch: i64,
    },
    /// 导入银行回盘文件（全部正确才登记）
    Return {
        /// 批次号
        #[arg(value_parser = parse_id)]
        batch: i64,
        /// 回盘文件（xlsx、xls 或 csv）
        file: PathBuf,
        /// 错误报告输出目录
        #[arg(long, default_value = ".")]
        report_dir: PathBuf,
    },
    /// 账户更正后，把批次中发放失败的明细放入新的重新发放批次
    Reissue {
        /// 批次号
        #[arg(value_parser = parse_id)]
        batch: i64,
    },
    /// 清退一笔错发的资金（须写原因）
    Reverse {
        /// 发放明细编号（代发文件中的“明细编号”）
        #[arg(value_parser = parse_id)]
        line: i64,
        /// 清退原因（必填）
        #[arg(long)]
        reason: String,
        /// 清退金额（元；只清退多发的部分时填写，不填为整笔）
        #[arg(long)]
        amount: Option<String>,
    },
    /// 登记清退资金的追回（可分次）
    Recover {
        /// 发放明细编号（代发文件中的“明细编号”）
        #[arg(value_parser = parse_id)]
        line: i64,
        /// 追回金额（元）
        #[arg(long)]
        amount: String,
        #[arg(long, default_value = "")]
        note: String,
    },
    /// 结束回盘已完成的批次
    Close {
        /// 批次号
        #[arg(value_parser = parse_id)]
        batch: i64,
    },
    /// 学校学杂费（学费）减免补助结算表：发给学校的项目，按学校和项目汇总，附学生明细
    Waivers {
        /// 学期，如 2023-autumn
        #[arg(long, value_parser = parse_term)]
        term: Term,
        /// 输出的 xlsx 文件（默认 学期-学校减免补助结算表.xlsx）
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// 回访抽样：每校随机抽取已发放学生（人数见政策文件 verification_sample）
    Sample {
        /// 学期，如 2023-autumn
        #[arg(long, value_parser = parse_term)]
        term: Term,
        /// 随机种子（同一种子抽到同样的学生，便于复核）
        #[arg(long, default_value_t = 2023)]
        seed: u64,
    },
    /// 列出回访记录
    Verifications {
        /// 学期，如 2023-autumn
        #[arg(long, value_parser = parse_term)]
        term: Term,
    },
    /// 登记回访结果：家庭确认收到（confirmed）或否认（denied，转跟进核查）
    Verify {
        /// 回访编号（zizhu pay verifications 中的编号）
        #[arg(value_parser = parse_id)]
        id: i64,
        /// confirmed 或 denied
        #[arg(long)]
        result: String,
        #[arg(long, default_value = "")]
        note: String,
    },
    /// 结束否认收到的跟进核查
    FollowUp {
        /// 回访编号（zizhu pay verifications 中的编号）
        #[arg(value_parser = parse_id)]
        id: i64,
        #[arg(long)]
        note: String,
    },
}

#[derive(Subcommand, Debug)]
enum AuditCmd {
    /// 发放覆盖核查：每个应发未发的学生及原因、无对应资助的发放、应发/已发/退回/追回合计
    Coverage {
        #[arg(long, value_parser = parse_term)]
        term: Term,
        /// 输出的 xlsx 文件（默认 学期-发放覆盖核查.xlsx）
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// 脱贫成果回查监测（四(二)）：建档立卡（含已脱贫）家庭的适龄子女是否在校或在控辍保学台账中、应发资助是否已发，问题按户列出并跟踪整改
    Households {
        /// 学期，如 2023-autumn
        #[arg(long, value_parser = parse_term)]
        term: Term,
        /// 输出的 xlsx 文件（默认 学期-回查监测问题清单.xlsx）
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// 登记回查问题的整改措施（问题在下次回查未再发现时记为已整改）
    Rectify {
        /// 问题编号（问题清单中的“编号”）
        #[arg(value_parser = parse_id)]
        id: i64,
        /// 整改措施（必填）
        #[arg(long)]
        note: String,
    },
}

#[derive(Subcommand, Debug)]
enum PolicyCmd {
    /// 检查政策文件，错误给出行号和列号
    Check {
        /// 政策文件（默认 policy/2023.toml）
        file: Option<PathBuf>,
    },
    /// 运行政策样例（默认为政策文件旁的 *.cases.toml）
    Test {
        /// 政策文件（默认 policy/2023.toml）
        file: Option<PathBuf>,
        /// 样例文件（默认为政策文件旁的同名 .cases.toml）
        #[arg(long)]
        cases: Option<PathBuf>,
    },
}

fn parse_term(s: &str) -> Result<Term, String> {
    s.parse()
        .map_err(|e: zizhu_domain::term::TermParseError| e.to_string())
}

/// A batch, line or verification number.
fn parse_id(s: &str) -> Result<i64, String> {
    match s.trim().parse::<i64>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(format!("编号应为正整数，实为“{s}”")),
    }
}

fn parse_kind(s: &str) -> Result<ListKind, String> {
    ListKind::from_key(s)
        .or_else(|| ListKind::ALL.iter().copied().find(|k| k.zh() == s))
        .ok_or_else(|| {
            let all: Vec<String> = ListKind::ALL
                .iter()
                .map(|k| format!("{}（{}）", k.key(), k.zh()))
                .collect();
            format!("未知的名单类型 {s}；可用：{}", all.join("、"))
        })
}

/// Output piped into a reader that stops early (`zizhu imports | head`): Rust ignores SIGPIPE,
/// so `println!` panics on the closed pipe. That is no error of ours: leave quietly, as a command
/// killed by SIGPIPE would (a review saw the panic and its backtrace).
fn quiet_on_closed_pipe() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let p = info.payload();
        let msg = p
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| p.downcast_ref::<&str>().copied())
            .unwrap_or_default();
        if msg.starts_with("failed printing to stdout") && msg.contains("Broken pipe") {
            std::process::exit(0);
        }
        default(info);
    }));
}

fn main() -> ExitCode {
    quiet_on_closed_pipe();
    let refused = |e: clap::Error| -> ExitCode {
        match zh_clap::message(&e) {
            Some(msg) => {
                // What the user typed is quoted: no control characters reach the terminal.
                let lines: Vec<String> = msg.split('\n').map(cmd_data::printable).collect();
                eprintln!("错误：{}", lines.join("\n"));
                ExitCode::from(2)
            }
            None if e.kind() == clap::error::ErrorKind::DisplayVersion => e.exit(),
            None => {
                // Help: clap's own words in Chinese too.
                let text = zh_clap::words(&e.render().to_string());
                if e.use_stderr() {
                    eprint!("{text}");
                    ExitCode::from(2)
                } else {
                    print!("{text}");
                    ExitCode::SUCCESS
                }
            }
        }
    };
    let command = zh_clap::localize(<Cli as clap::CommandFactory>::command());
    let matches = match command.try_get_matches() {
        Ok(m) => m,
        Err(e) => return refused(e),
    };
    let mut cli = match <Cli as clap::FromArgMatches>::from_arg_matches(&matches) {
        Ok(c) => c,
        Err(e) => return refused(e),
    };
    // The demo and the bench fill their database with sample people: only a database named on
    // their own command line is used, never one from ZIZHU_DATABASE_URL or the config file.
    if matches!(
        cli.command,
        Command::Demo { .. } | Command::Bench { .. } | Command::BenchWeb { .. }
    ) && matches.value_source("database") == Some(clap::parser::ValueSource::EnvVariable)
    {
        eprintln!("注意：演示和性能测试不使用 ZIZHU_DATABASE_URL 指定的数据库，另建自己的数据库；要指定请用 --database。");
        cli.database = None;
    }
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("ZIZHU_LOG")
                // sqlx's "slow statement" and "slow acquire" warnings (English, with the SQL)
                // are for developers: on a province-sized list they are expected, not news.
                .unwrap_or_else(|_| "warn,sqlx=error".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("错误：无法启动运行时：{e}");
            return ExitCode::from(2);
        }
    };
    match rt.block_on(run(cli)) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            // The top-level message is already complete and in Chinese; the chain (library
            // detail, often in English) goes to the log.
            tracing::debug!("{e:#}");
            // An error can quote what the user typed or a file held: no control characters
            // reach the terminal (line breaks of multi-line messages stay).
            let text: String = e
                .to_string()
                .split('\n')
                .map(cmd_data::printable)
                .collect::<Vec<_>>()
                .join("\n");
            eprintln!("错误：{text}");
            // A file that cannot be imported as a list (missing columns, wrong encoding …) is
            // input rejected, like a file with bad rows: exit code 1, as README says.
            // A file that could not be read at all stays an error (2).
            let import_error = e.downcast_ref::<zizhu_io::ImportError>().or(
                match e.downcast_ref::<zizhu_app::AppError>() {
                    Some(zizhu_app::AppError::Import(i)) => Some(i),
                    _ => None,
                },
            );
            let rejected_file =
                import_error.is_some_and(|i| !matches!(i, zizhu_io::ImportError::Io { .. }));
            ExitCode::from(if rejected_file { 1 } else { 2 })
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<u8> {
    // The demo and the bench make their own fresh database unless --database is given: a
    // configured (production) database is never filled with sample data.
    let own_database = matches!(
        cli.command,
        Command::Demo { .. } | Command::Bench { .. } | Command::BenchWeb { .. }
    );
    let conf = if own_database {
        config::Config::default()
    } else {
        config::load(cli.config.as_deref())?
    };
    let database = cli.database.clone().or(conf.database);
    let policy = cli.policy.clone().or(conf.policy);
    let ctx = ui::Ctx::new(database, policy.clone(), cli.actor.clone().or(conf.actor));
    match cli.command {
        Command::Demo {
            dir,
            students,
            seed,
        } => cmd_demo::run(&ctx, &dir, students, seed).await,
        Command::Import {
            kind,
            file,
            term,
            dry_run,
            report_dir,
        } => cmd_data::import(&ctx, kind, &file, term, dry_run, &report_dir).await,
        Command::Imports => cmd_data::imports(&ctx).await,
        Command::Compute { term } => cmd_data::compute(&ctx, term).await,
        Command::Adjust { term, dry_run } => cmd_pay::adjust(&ctx, term, dry_run).await,
        Command::Report {
            which: ReportCmd::Roster { term, public, out },
        } => cmd_data::roster(&ctx, term, public, out).await,
        Command::Report {
            which: ReportCmd::Quality { term, out },
        } => cmd_data::quality(&ctx, term, out).await,
        Command::Explain { id, term, full_id } => cmd_data::explain(&ctx, &id, term, full_id).await,
        Command::Policy {
            which: PolicyCmd::Check { file },
        } => cmd_policy::check(file.or(policy)),
        Command::Policy {
            which: PolicyCmd::Test { file, cases },
        } => cmd_policy::test(file.or(policy), cases),
        Command::Dropout { which } => match which {
            DropoutCmd::Scan { as_of, term } => cmd_dropout::scan(&ctx, as_of, term).await,
            DropoutCmd::Overdue { as_of } => cmd_dropout::overdue_list(&ctx, as_of).await,
            DropoutCmd::Report { as_of, out } => cmd_dropout::report(&ctx, as_of, out).await,
            DropoutCmd::SchoolAge {
                as_of,
                term,
                township,
                out,
                full_id,
            } => cmd_dropout::school_age(&ctx, as_of, term, township, out, full_id).await,
            DropoutCmd::Ledger {
                school,
                township,
                as_of,
                out,
                full_id,
            } => {
                let filter = zizhu_store::CaseFilter {
                    school_code: school,
                    township,
                    ..zizhu_store::CaseFilter::default()
                };
                cmd_dropout::ledger(&ctx, filter, as_of, out, full_id).await
            }
        },
        Command::Case { which } => match which {
            CaseCmd::List {
                school,
                township,
                state,
                open,
            } => {
                let filter = zizhu_store::CaseFilter {
                    school_code: school,
                    township,
                    state,
                    open_only: open,
                };
                cmd_dropout::list(&ctx, filter).await
            }
            CaseCmd::Show { id, full_id } => cmd_dropout::show(&ctx, id, full_id).await,
            CaseCmd::Move {
                id,
                action,
                args,
                level,
                on,
            } => cmd_dropout::move_case(&ctx, id, &action, &args, level, on).await,
            CaseCmd::Act {
                id,
                kind,
                note,
                on,
                level,
            } => cmd_dropout::act(&ctx, id, &kind, &note, on, level).await,
            CaseCmd::Assign {
                id,
                school,
                teacher,
                official,
                on,
                level,
            } => {
                let who = cmd_dropout::Assignment {
                    school: school.as_deref(),
                    teacher: teacher.as_deref(),
                    official: official.as_deref(),
                };
                cmd_dropout::assign(&ctx, id, &who, on, level).await
            }
        },
        Command::Pay { which } => match which {
            PayCmd::Batch { term } => cmd_pay::batch(&ctx, term).await,
            PayCmd::List { term } => cmd_pay::list(&ctx, term).await,
            PayCmd::File { batch, format, out } => {
                cmd_pay::file(&ctx, batch, format.as_deref(), &out).await
            }
            PayCmd::Submit { batch } => cmd_pay::submit(&ctx, batch).await,
            PayCmd::Return {
                batch,
                file,
                report_dir,
            } => cmd_pay::bank_return(&ctx, batch, &file, &report_dir).await,
            PayCmd::Reissue { batch } => cmd_pay::reissue(&ctx, batch).await,
            PayCmd::Reverse {
                line,
                reason,
                amount,
            } => cmd_pay::reverse(&ctx, line, amount.as_deref(), &reason).await,
            PayCmd::Recover { line, amount, note } => {
                cmd_pay::recover(&ctx, line, &amount, &note).await
            }
            PayCmd::Close { batch } => cmd_pay::close(&ctx, batch).await,
            PayCmd::Waivers { term, out } => cmd_pay::waivers(&ctx, term, out).await,
            PayCmd::Sample { term, seed } => cmd_pay::sample(&ctx, term, seed).await,
            PayCmd::Verifications { term } => cmd_pay::verifications(&ctx, term).await,
            PayCmd::Verify { id, result, note } => cmd_pay::verify(&ctx, id, &result, &note).await,
            PayCmd::FollowUp { id, note } => cmd_pay::follow_up(&ctx, id, &note).await,
        },
        Command::Audit { which } => match which {
            AuditCmd::Coverage { term, out } => cmd_pay::coverage(&ctx, term, out).await,
            AuditCmd::Households { term, out } => cmd_recheck::households(&ctx, term, out).await,
            AuditCmd::Rectify { id, note } => cmd_recheck::rectify(&ctx, id, &note).await,
        },
        Command::Admission { year, out } => cmd_admission::admission(&ctx, year, out).await,
        Command::Evaluate { term, as_of, out } => {
            cmd_evaluate::evaluate(&ctx, term, as_of, out).await
        }
        Command::MigrateStore { from, to } => cmd_store::migrate_store(&ctx, &from, &to).await,
        Command::Backup { file } => cmd_store::backup(&ctx, &file).await,
        Command::Restore { file } => cmd_store::restore(&ctx, &file).await,
        Command::User { which } => match which {
            UserCmd::Add {
                username,
                role,
                township,
                school,
                name,
                password_stdin,
            } => {
                let a = cmd_user::NewAccount {
                    username: &username,
                    name: name.as_deref(),
                    role,
                    township: township.as_deref(),
                    school: school.as_deref(),
                    password_stdin,
                };
                cmd_user::add(&ctx, &a).await
            }
            UserCmd::List => cmd_user::list(&ctx).await,
            UserCmd::Token { username, label } => cmd_user::token(&ctx, &username, &label).await,
            UserCmd::Disable { username } => cmd_user::set_active(&ctx, &username, false).await,
            UserCmd::Enable { username } => cmd_user::set_active(&ctx, &username, true).await,
            UserCmd::Passwd {
                username,
                password_stdin,
            } => cmd_user::passwd(&ctx, &username, password_stdin).await,
        },
        Command::Serve {
            listen,
            insecure_cookies,
        } => cmd_serve::run(&ctx, &listen, insecure_cookies).await,
        Command::BenchWeb {
            students,
            users,
            seconds,
            think_ms,
            dir,
        } => {
            let load = cmd_bench_web::Load {
                dir: &dir,
                students,
                users: users.clamp(1, 10_000),
                seconds: seconds.clamp(1, 3_600),
                think_ms: think_ms.min(60_000),
            };
            cmd_bench_web::run(&ctx, &load).await
        }
        Command::Bench { students, dir } => cmd_bench::run(&ctx, students, &dir).await,
        Command::ZeroFee { year, out } => cmd_zero_fee::zero_fee(&ctx, year, out).await,
        Command::Exchange { year, as_of, out } => {
            cmd_exchange::exchange(&ctx, year, as_of, out).await
        }
        Command::Complaint { which } => cmd_complaint::run(&ctx, which).await,
    }
}
