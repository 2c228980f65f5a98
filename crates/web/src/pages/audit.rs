//! The audit log (审计日志) for the county and the auditors (四(三) 严格监督执纪): newest first,
//! searchable by user, action, text and date, a page at a time.

use crate::auth::User;
use crate::error::WebError;
use crate::render::{html, Nav};
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Html;
use chrono::{NaiveDate, TimeZone, Utc};
use zizhu_domain::access::Duty;
use zizhu_domain::dates::beijing_time;
use zizhu_store::AuditQuery;

const PAGE: i64 = 100;

/// The actions the log records, with what an auditor reads for them.
pub const ACTIONS: &[(&str, &str)] = &[
    ("login", "登录"),
    ("login_failed", "登录失败"),
    ("login_locked", "登录被锁定"),
    ("logout", "退出登录"),
    ("user_add", "添加用户"),
    ("user_password", "重设密码"),
    ("user_disable", "停用用户"),
    ("user_enable", "启用用户"),
    ("api_token_add", "发放接口令牌"),
    ("import", "导入名单"),
    ("import_check", "上传校验（未写入）"),
    ("import_cancel", "取消导入"),
    ("import_rejected", "导入被拒绝"),
    ("compute", "计算资助名单"),
    ("roster_signoff", "名单确认/审核/退回"),
    ("roster_lock", "审批锁定名单"),
    ("roster_adjust", "锁定后调整（补发/追回）"),
    ("dropout_scan", "控辍保学比对"),
    ("case_move", "案件状态变更"),
    ("case_action", "登记帮扶措施"),
    ("case_assign", "指定责任人"),
    ("view_students", "查询学生"),
    ("view_student", "查看学生详情"),
    ("view_full_id", "查看完整身份证件号"),
    ("view_roster", "查看资助名单"),
    ("view_cases", "查看案件清单"),
    ("view_case", "查看案件"),
    ("case_list", "查看案件清单（命令行）"),
    ("case_view_full_id", "查看案件完整身份证件号"),
    ("view_audit", "查看审计日志"),
    ("export_roster", "导出资助名单"),
    ("view_payments", "查看发放情况"),
    ("payment_batch_create", "生成发放批次"),
    ("payment_batch_submit", "提交银行"),
    ("payment_file_export", "生成银行代发文件"),
    ("payment_return", "登记银行回盘"),
    ("payment_return_rejected", "银行回盘被拒绝"),
    ("payment_reverse", "清退"),
    ("payment_recover", "追回"),
    ("payment_batch_close", "结束发放批次"),
    ("coverage_audit", "发放覆盖核查"),
    ("fee_statement_export", "导出学校减免补助结算表"),
    ("payment_verify_draw", "回访抽样"),
    ("payment_verify", "登记回访结果"),
    ("payment_follow_up_close", "结束回访跟进"),
    ("export_roster_full_id", "导出资助名单（含完整证件号）"),
    ("ledger_export", "导出一生一案台账"),
    ("ledger_export_full_id", "导出一生一案台账（含完整证件号）"),
    ("school_age_export", "导出适龄儿童台账"),
    (
        "school_age_export_full_id",
        "导出适龄儿童台账（含完整证件号）",
    ),
    ("backup", "备份数据库"),
    ("restore", "恢复数据库"),
    ("migrate_store_export", "迁移数据库（读出）"),
    ("view_fee_statement", "查看学校减免补助结算表"),
    ("view_admission", "查看师范定向录取分析"),
    ("admission_report", "导出师范定向录取分析"),
    ("view_recheck", "查看回查监测问题"),
    ("household_recheck", "脱贫成果回查监测"),
    ("recheck_action", "登记回查问题整改措施"),
    ("view_zero_fee", "查看零收费发放情况"),
    ("zero_fee_issue", "登记零收费发放"),
    ("zero_fee_report", "导出零收费发放情况"),
    ("view_exchange", "查看交流轮岗"),
    ("exchange_report", "导出交流轮岗统计"),
    ("view_evaluation", "查看学校工作考评"),
    ("evaluation_report", "导出学校工作考评"),
    ("view_complaints", "查看群众反映工单清单"),
    ("view_complaint", "查看群众反映工单"),
    ("complaint_view", "查看群众反映工单（命令行）"),
    ("complaint_list", "查看群众反映工单清单（命令行）"),
    ("complaint_lodge", "受理群众反映问题"),
    ("complaint_move", "群众反映工单变更"),
];

pub(crate) fn action_zh(key: &str) -> String {
    ACTIONS
        .iter()
        .find(|(k, _)| *k == key)
        .map_or_else(|| key.to_string(), |(_, zh)| (*zh).to_string())
}

pub struct ActionOption {
    pub key: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

#[derive(serde::Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Params {
    /// User name (part of it).
    actor: Option<String>,
    /// Action key, e.g. `export_roster`, `view_full_id`, `case_move`.
    action: Option<String>,
    /// Text in the target or detail.
    q: Option<String>,
    /// First day, YYYY-MM-DD (北京时间).
    from: Option<String>,
    /// Last day, YYYY-MM-DD (北京时间).
    to: Option<String>,
    /// Entries older than this entry id (the next page).
    before: Option<i64>,
}

pub struct Row {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub detail: String,
    pub origin: String,
    pub change: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct Page {
    nav: Nav,
    actions: Vec<ActionOption>,
    actor: String,
    action: String,
    q: String,
    from: String,
    to: String,
    rows: Vec<Row>,
    next_before: Option<i64>,
}

/// A day typed in the form (北京时间), as the UTC instant it starts.
fn day_start(s: &str, field: &str) -> Result<Option<chrono::DateTime<Utc>>, WebError> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    let d = NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| WebError::BadRequest(format!("{field}应写作 YYYY-MM-DD，实为“{s}”")))?;
    let cst =
        chrono::FixedOffset::east_opt(8 * 3600).ok_or_else(|| WebError::Internal("时区".into()))?;
    Ok(d.and_hms_opt(0, 0, 0)
        .and_then(|t| cst.from_local_datetime(&t).single())
        .map(|t| t.with_timezone(&Utc)))
}

fn clip(s: Option<String>) -> String {
    s.unwrap_or_default().trim().chars().take(60).collect()
}

/// The search an auditor typed, each field trimmed to 60 characters.
pub(crate) struct Search {
    pub actor: String,
    pub action: String,
    pub q: String,
    pub from: String,
    pub to: String,
    pub before: Option<i64>,
}

impl From<Params> for Search {
    fn from(p: Params) -> Search {
        Search {
            actor: clip(p.actor),
            action: clip(p.action),
            q: clip(p.q),
            from: clip(p.from),
            to: clip(p.to),
            before: p.before,
        }
    }
}

/// A page of the audit log, newest first, for a user who may read it; the search is itself
/// logged. Also the key to pass as `before` for the next page, when there is one.
pub(crate) async fn search(
    state: &AppState,
    user: &User,
    s: &Search,
) -> Result<(Vec<zizhu_store::AuditRow>, Option<i64>), WebError> {
    user.require(Duty::ReadAudit)?;
    let (from_t, to_t) = (
        day_start(&s.from, "起始日期")?,
        day_start(&s.to, "截止日期")?,
    );
    if let (Some(f), Some(t)) = (from_t, to_t) {
        if f > t {
            return Err(WebError::BadRequest("起始日期晚于截止日期".into()));
        }
    }
    let query = AuditQuery {
        actor: Some(s.actor.clone()),
        action: Some(s.action.clone()),
        text: Some(s.q.clone()),
        from: from_t,
        // Through the whole of the `to` day.
        to: to_t.map(|t| t + chrono::Duration::days(1)),
        before_id: s.before,
    };
    let found = state.db.search_audit(&query, PAGE).await?;
    // Reading the log is itself logged (who looked at what).
    let asked = format!(
        "操作人“{}”，操作“{}”，内容“{}”，日期 {}—{}，{} 条",
        s.actor,
        s.action,
        // An ID number searched for is kept masked in the log, like any.
        zizhu_domain::ids::mask_long_digits(&s.q),
        s.from,
        s.to,
        found.len()
    );
    state
        .db
        .audit_entry(&user.audit("view_audit", "审计日志", &asked))
        .await?;
    let next_before = (found.len() as i64 == PAGE)
        .then(|| found.last().map(|r| r.id))
        .flatten();
    Ok((found, next_before))
}

/// GET /audit
pub async fn page(
    State(state): State<AppState>,
    user: User,
    Query(p): Query<Params>,
) -> Result<Html<String>, WebError> {
    let s = Search::from(p);
    let (found, next_before) = search(&state, &user, &s).await?;
    let Search {
        actor,
        action,
        q,
        from,
        to,
        ..
    } = s;
    let rows = found
        .into_iter()
        .map(|r| Row {
            id: r.id,
            at: beijing_time(r.at),
            actor: r.actor,
            action: action_zh(&r.action),
            target: r.target,
            detail: r.detail,
            origin: r.origin.unwrap_or_else(|| "命令行".into()),
            change: match (r.before, r.after) {
                (None, None) => String::new(),
                (b, a) => format!(
                    "原：{}；新：{}",
                    b.unwrap_or_else(|| "—".into()),
                    a.unwrap_or_else(|| "—".into())
                ),
            },
        })
        .collect();
    html(&Page {
        nav: Nav::of(&user),
        actions: ACTIONS
            .iter()
            .map(|(k, zh)| ActionOption {
                key: k,
                label: zh,
                selected: *k == action,
            })
            .collect(),
        actor,
        action,
        q,
        from,
        to,
        rows,
        next_before,
    })
}
