//! `zizhu complaint …` (群众反映问题, 四(三)): lodge a complaint about a student, move the ticket
//! through its states, list tickets (overdue ones on a day). The command line acts as the
//! county (县级), who may do everything; schools and townships use the web pages.

use crate::ui::Ctx;
use chrono::NaiveDate;
use clap::Subcommand;
use zizhu_domain::complaint::{
    ComplaintCategory, ComplaintSource, ComplaintState, Handler, Owner, Transition,
};
use zizhu_domain::dropout::UserLevel;
use zizhu_domain::IdNumber;
use zizhu_store::{ComplaintActor, ComplaintFilter, NewComplaint, ScopeFilter};

#[derive(Subcommand, Debug)]
pub enum ComplaintCmd {
    /// 受理登记：关于某学生的问题（未收到资助、金额有误、失学辍学、免除后仍收费、其他）
    Add {
        /// 学生身份证件号
        #[arg(long)]
        id: String,
        /// 问题类别：aid_not_received wrong_amount out_of_school fee_charged_despite_waiver other
        #[arg(long, value_parser = parse_category)]
        category: ComplaintCategory,
        /// 反映人类别：family（家长/学生本人）teacher（教师）township（乡镇）other（其他）
        #[arg(long, value_parser = parse_source)]
        source: ComplaintSource,
        /// 反映人姓名（可写“匿名”）
        #[arg(long)]
        complainant: String,
        /// 联系方式
        #[arg(long, default_value = "")]
        contact: String,
        /// 反映内容
        #[arg(long)]
        summary: String,
        /// 涉及的发放明细编号
        #[arg(long, value_parser = crate::parse_id)]
        payment_line: Option<i64>,
        /// 涉及的控辍保学案件编号
        #[arg(long = "case", value_parser = crate::parse_id)]
        case_id: Option<i64>,
        /// 受理日期（默认今天）
        #[arg(long, value_parser = crate::parse_day)]
        on: Option<NaiveDate>,
    },
    /// 交办：--to 学校标识码、township:乡镇名 或 county
    Assign {
        #[arg(value_parser = crate::parse_id)]
        id: i64,
        #[arg(long, value_parser = Owner::parse_typed)]
        to: Owner,
        #[command(flatten)]
        m: MoveArgs,
    },
    /// 开始办理
    Start {
        #[arg(value_parser = crate::parse_id)]
        id: i64,
        #[command(flatten)]
        m: MoveArgs,
    },
    /// 办结（--note 写明办理结果）
    Resolve {
        #[arg(value_parser = crate::parse_id)]
        id: i64,
        #[command(flatten)]
        m: MoveArgs,
    },
    /// 结案（县级；结案后不能再变更）
    Close {
        #[arg(value_parser = crate::parse_id)]
        id: i64,
        #[command(flatten)]
        m: MoveArgs,
    },
    /// 反映人不满意，重新办理（--note 写明原因；办理期限不变）
    Reopen {
        #[arg(value_parser = crate::parse_id)]
        id: i64,
        #[command(flatten)]
        m: MoveArgs,
    },
    /// 列出工单（身份证件号脱敏；查看记入审计日志）
    List {
        /// 只列超期未办结的
        #[arg(long)]
        overdue: bool,
        /// 按某日的情况（默认今天）
        #[arg(long, value_parser = crate::parse_day)]
        as_of: Option<NaiveDate>,
        /// 只列某状态：received assigned in_progress resolved closed
        #[arg(long, value_parser = parse_state)]
        state: Option<ComplaintState>,
        /// 只列某类别
        #[arg(long, value_parser = parse_category)]
        category: Option<ComplaintCategory>,
        /// 只列某校（学校标识码）
        #[arg(long)]
        school: Option<String>,
        /// 只列某乡镇
        #[arg(long)]
        township: Option<String>,
    },
    /// 查看一个工单及全部记录
    Show {
        #[arg(value_parser = crate::parse_id)]
        id: i64,
        /// 显示完整身份证件号（记入审计日志）
        #[arg(long)]
        full_id: bool,
    },
}

/// What every move takes: a note and the day.
#[derive(clap::Args, Debug)]
pub struct MoveArgs {
    /// 说明（办结写办理结果，重新办理写不满意的原因）
    #[arg(long, default_value = "")]
    note: String,
    /// 操作日期（默认今天）
    #[arg(long, value_parser = crate::parse_day)]
    on: Option<NaiveDate>,
}

fn choices<T: Copy>(all: &[T], key: fn(T) -> &'static str, zh: fn(T) -> &'static str) -> String {
    all.iter()
        .map(|x| format!("{}（{}）", key(*x), zh(*x)))
        .collect::<Vec<_>>()
        .join("、")
}

fn parse_category(s: &str) -> Result<ComplaintCategory, String> {
    use ComplaintCategory as C;
    C::from_key(s.trim())
        .or_else(|| C::ALL.iter().copied().find(|c| c.zh() == s.trim()))
        .ok_or_else(|| {
            format!(
                "未知的问题类别 {s}；可用：{}",
                choices(C::ALL, C::key, C::zh)
            )
        })
}

fn parse_source(s: &str) -> Result<ComplaintSource, String> {
    use ComplaintSource as S;
    S::from_key(s.trim())
        .or_else(|| S::ALL.iter().copied().find(|c| c.zh() == s.trim()))
        .ok_or_else(|| {
            format!(
                "未知的反映人类别 {s}；可用：{}",
                choices(S::ALL, S::key, S::zh)
            )
        })
}

fn parse_state(s: &str) -> Result<ComplaintState, String> {
    use ComplaintState as S;
    S::from_key(s.trim())
        .or_else(|| S::ALL.iter().copied().find(|c| c.zh() == s.trim()))
        .ok_or_else(|| {
            format!(
                "未知的工单状态 {s}；可用：{}",
                choices(S::ALL, S::key, S::zh)
            )
        })
}

pub(crate) fn today() -> NaiveDate {
    crate::ui::today()
}

fn county(ctx: &Ctx) -> ComplaintActor {
    ComplaintActor {
        name: ctx.actor.clone(),
        handler: Handler {
            level: UserLevel::County,
            unit: String::new(),
        },
        origin: None,
    }
}

pub(crate) const ALL: ScopeFilter<'static> = ScopeFilter {
    township: None,
    school: None,
};

pub(crate) fn masked(id: &str) -> String {
    IdNumber::parse(id)
        .map(|(i, _)| i.masked())
        .unwrap_or_else(|_| "（身份证件号无效）".into())
}

/// A refusal the user can fix (a move the state does not allow, a bad link): exit code 1.
fn refused(msg: &str) -> u8 {
    eprintln!("未执行：{msg}");
    1
}

pub(crate) fn future(on: NaiveDate) -> Option<u8> {
    (on > today()).then(|| {
        eprintln!("未执行：日期 {on} 晚于今天");
        1
    })
}

/// Runs one `zizhu complaint` command.
pub async fn run(ctx: &Ctx, cmd: ComplaintCmd) -> anyhow::Result<u8> {
    let (id, tr, m) = match cmd {
        ComplaintCmd::Add {
            id,
            category,
            source,
            complainant,
            contact,
            summary,
            payment_line,
            case_id,
            on,
        } => {
            let c = NewComplaint {
                id_number: id,
                category,
                source,
                complainant,
                contact,
                summary,
                payment_line_id: payment_line,
                case_id,
                lodged_on: on.unwrap_or_else(today),
            };
            return add(ctx, &c).await;
        }
        ComplaintCmd::List {
            overdue,
            as_of,
            state,
            category,
            school,
            township,
        } => {
            let filter = ComplaintFilter {
                state,
                category,
                open_only: false,
            };
            let scope = ScopeFilter {
                township: township.as_deref(),
                school: school.as_deref(),
            };
            return crate::cmd_complaint_list::list(ctx, scope, &filter, overdue, as_of).await;
        }
        ComplaintCmd::Show { id, full_id } => {
            return crate::cmd_complaint_list::show(ctx, id, full_id).await
        }
        ComplaintCmd::Assign { id, to, m } => (id, Transition::Assign { owner: to }, m),
        ComplaintCmd::Start { id, m } => (id, Transition::Start, m),
        ComplaintCmd::Resolve { id, m } => (id, Transition::Resolve, m),
        ComplaintCmd::Close { id, m } => (id, Transition::Close, m),
        ComplaintCmd::Reopen { id, m } => (id, Transition::Reopen, m),
    };
    let on = m.on.unwrap_or_else(today);
    if let Some(refused) = future(on) {
        return Ok(refused);
    }
    let db = ctx.db().await?;
    let t = match db
        .move_complaint(id, &tr, &county(ctx), ALL, on, &m.note)
        .await
    {
        Ok(t) => t,
        Err(zizhu_store::StoreError::Invalid(msg)) => return Ok(refused(&msg)),
        Err(e) => return Err(e.into()),
    };
    println!(
        "工单 {id}：{}，现为“{}”，承办 {}，办理期限 {}。",
        tr.zh(),
        t.state.zh(),
        t.owner.zh(),
        t.due_on
    );
    Ok(0)
}

async fn add(ctx: &Ctx, c: &NewComplaint) -> anyhow::Result<u8> {
    if let Some(refused) = future(c.lodged_on) {
        return Ok(refused);
    }
    let p = ctx.policy()?;
    let rules = p.policy.complaint_rules()?;
    let clause = p.policy.complaint_clause().to_string();
    let db = ctx.db().await?;
    let t = match db.lodge_complaint(c, &county(ctx), ALL, &rules).await {
        Ok(t) => t,
        Err(zizhu_store::StoreError::Invalid(msg)) => return Ok(refused(&msg)),
        Err(e) => return Err(e.into()),
    };
    println!(
        "已受理工单 {}：{} {}，{}；承办 {}，办理期限 {}（{} 日，{clause}）。",
        t.id,
        t.student_name,
        masked(&t.id_number),
        t.category.zh(),
        t.owner.zh(),
        t.due_on,
        rules.days_for(t.category)
    );
    Ok(0)
}
