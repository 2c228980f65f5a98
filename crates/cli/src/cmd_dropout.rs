//! `zizhu dropout …` and `zizhu case …`: the dropout scan (控辍保学比对), the ledger's overdue
//! list, and the one-student-one-file cases (一生一案). The work is in the domain, store and app
//! layers; this file parses, calls and prints.

use crate::ui::Ctx;
use chrono::NaiveDate;
use zizhu_domain::dropout::{allowed_keys, overdue, ActionKind, CaseState, Move, UserLevel, MOVES};
use zizhu_domain::{IdNumber, Term};
use zizhu_store::{Actor, CaseFilter, CaseRow};

/// The options a move may need (`zizhu case move ID KEY …`).
#[derive(Debug, Default, clap::Args)]
pub struct MoveArgs {
    /// 非辍学原因（not_dropout）：studying_elsewhere、enrolled、moved_away、deceased、past_compulsory_age、completed、other
    #[arg(long)]
    pub reason: Option<String>,
    /// 核查说明和证明材料（not_dropout）
    #[arg(long)]
    pub evidence: Option<String>,
    /// 学校：县外就读学校名称（not_dropout）或复学学校（return）
    #[arg(long)]
    pub school: Option<String>,
    /// 复学日期 YYYY-MM-DD（return）
    #[arg(long, value_parser = crate::parse_day)]
    pub date: Option<NaiveDate>,
    /// 送教教师姓名（home_teaching）
    #[arg(long)]
    pub teacher: Option<String>,
    /// 送教频次，如“每月两次”（home_teaching）
    #[arg(long)]
    pub frequency: Option<String>,
    /// 送教内容，如“语文、数学、康复训练”（home_teaching）
    #[arg(long)]
    pub content: Option<String>,
    /// 销号或重新核查的原因（close、reopen），或其他变更的说明
    #[arg(long)]
    pub note: Option<String>,
}

pub fn parse_level(s: &str) -> Result<UserLevel, String> {
    UserLevel::from_key(s)
        .or_else(|| UserLevel::ALL.iter().copied().find(|l| l.zh() == s))
        .ok_or_else(|| {
            format!("未知的用户层级 {s}；可用：school（学校）、township（乡镇）、county（县级）")
        })
}

fn actor(ctx: &Ctx, level: UserLevel) -> Actor {
    Actor {
        name: ctx.actor.clone(),
        level,
        origin: None,
    }
}

pub(crate) fn today() -> NaiveDate {
    crate::ui::today()
}

fn rules(ctx: &Ctx) -> anyhow::Result<zizhu_domain::dropout::DropoutRules> {
    let p = ctx.policy()?;
    Ok(p.policy.dropout_rules()?)
}

/// `zizhu dropout scan`.
pub async fn scan(ctx: &Ctx, as_of: Option<NaiveDate>, term: Option<Term>) -> anyhow::Result<u8> {
    let rules = rules(ctx)?;
    let db = ctx.db().await?;
    let as_of = as_of.unwrap_or_else(today);
    if as_of > today() {
        eprintln!("未执行：比对基准日 {} 晚于今天", as_of.format("%Y-%m-%d"));
        return Ok(1);
    }
    let term = term.unwrap_or_else(|| Term::containing(as_of));
    if term != Term::containing(as_of) {
        eprintln!(
            "注意：基准日 {} 在{}，比对使用的却是{}的学籍和在校学生名单。",
            as_of.format("%Y-%m-%d"),
            Term::containing(as_of).label_zh(),
            term.label_zh()
        );
    }
    let o =
        zizhu_app::dropout::scan(&db, &rules, as_of, term, &actor(ctx, UserLevel::County)).await?;
    print_scan(&o, as_of, &db.schools().await?);
    print_ledger_counts(&db).await?;
    Ok(0)
}

/// What a scan found and did, for the screen (also the demo's summary); `schools` names the
/// schools that sent no return.
pub(crate) fn print_scan(
    o: &zizhu_app::dropout::ScanOutcome,
    as_of: NaiveDate,
    schools: &[zizhu_domain::School],
) {
    let s = o.summary;
    println!(
        "控辍保学比对（截至 {}，{}学籍），批次 {}：",
        as_of.format("%Y-%m-%d"),
        o.term.label_zh(),
        o.scan_id
    );
    println!(
        "  义务教育适龄儿童少年 {} 人，疑似失学辍学 {} 人",
        s.population, s.suspects
    );
    for (r, n) in &o.by_reason {
        println!("    {}：{} 人", r.zh(), n);
    }
    println!(
        "  新立案 {} 件，已有案件再次发现 {} 件，已有案件不再疑似、待核实 {} 件",
        s.opened, s.refound, s.recheck
    );
    if !o.returned_again.is_empty() {
        let ids: Vec<String> = o.returned_again.iter().map(i64::to_string).collect();
        println!(
            "  注意：{} 名复学监测期内的儿童再次被比对为疑似，已标记待核实（案件 {}）；如已再次辍学，请用 zizhu case move 案件号 persuade 重新劝返",
            ids.len(),
            ids.join("、")
        );
    }
    for m in &o.missing {
        println!("  注意：{}", m.zh());
    }
    // With no return at all, MissingInput::Returns above says so: no list of every school.
    let no_returns = o
        .missing
        .contains(&zizhu_app::dropout::MissingInput::Returns);
    if !o.schools_without_return.is_empty() && !no_returns {
        let named: Vec<String> = o
            .schools_without_return
            .iter()
            .map(|code| match schools.iter().find(|s| &s.code == code) {
                Some(s) => format!("{code} {}", s.name),
                None => code.clone(),
            })
            .collect();
        println!(
            "  注意：{} 所学校本学期未报送在校学生名单，其学生未做“学籍—在校”比对：{}",
            named.len(),
            named.join("、")
        );
    }
}

/// The ledger by state, one line.
pub(crate) async fn print_ledger_counts(db: &zizhu_store::Db) -> anyhow::Result<()> {
    let all = db.cases(&CaseFilter::default()).await?;
    let mut line = Vec::new();
    for &st in CaseState::ALL {
        let n = all.iter().filter(|c| c.state == st).count();
        if n > 0 {
            line.push(format!("{} {}", st.zh(), n));
        }
    }
    println!("  台账：共 {} 件（{}）", all.len(), line.join("，"));
    Ok(())
}

/// `zizhu dropout overdue`.
pub async fn overdue_list(ctx: &Ctx, as_of: Option<NaiveDate>) -> anyhow::Result<u8> {
    let rules = rules(ctx)?;
    let db = ctx.db().await?;
    let on = as_of.unwrap_or_else(today);
    if let Some(refused) = future_day(on) {
        return Ok(refused);
    }
    // The ledger as it stood on that day (a past day is rebuilt from the case histories).
    let (cases, _) = zizhu_app::dropout_as_of::cases_as_of(&db, &CaseFilter::default(), on).await?;
    let cases: Vec<CaseRow> = cases
        .into_iter()
        .filter(|c| c.state != zizhu_domain::dropout::CaseState::Closed)
        .collect();
    let mut late: Vec<(&CaseRow, zizhu_domain::dropout::Overdue)> = cases
        .iter()
        .filter_map(|c| overdue(&c.clock(), on, &rules).map(|o| (c, o)))
        .collect();
    late.sort_by_key(|(c, o)| (o.kind.whose(), c.child.school_code.clone(), -o.days_late));
    if late.is_empty() {
        println!("截至 {}，没有超期的案件。", on.format("%Y-%m-%d"));
        return Ok(0);
    }
    println!(
        "截至 {}，超期案件 {} 件：",
        on.format("%Y-%m-%d"),
        late.len()
    );
    for (c, o) in &late {
        let whose = match o.kind.whose() {
            UserLevel::County => "县级".to_string(),
            _ => format!(
                "学校 {}（包保教师 {}，包保干部 {}）",
                or_dash(&c.child.school_code),
                or_dash(&c.teacher),
                or_dash(&c.official)
            ),
        };
        println!(
            "  案件 {}  {}  {}  {}：应于 {} 前完成，已超 {} 天；责任：{}",
            c.id,
            c.child.name,
            c.child.township,
            o.kind.zh(),
            o.due.format("%Y-%m-%d"),
            o.days_late,
            whose
        );
    }
    Ok(0)
}

fn or_dash(s: &str) -> &str {
    if s.is_empty() {
        "未指定"
    } else {
        s
    }
}

fn masked(id: &str) -> String {
    IdNumber::parse(id)
        .map(|(i, _)| i.masked())
        .unwrap_or_else(|_| "（身份证件号无效）".into())
}

/// `zizhu case list`.
pub async fn list(ctx: &Ctx, filter: CaseFilter) -> anyhow::Result<u8> {
    let db = ctx.db().await?;
    let cases = db.cases(&filter).await?;
    db.audit(
        &ctx.actor,
        "case_list",
        "dropout_case",
        &format!("查看案件清单 {} 件", cases.len()),
    )
    .await?;
    if cases.is_empty() {
        println!("没有符合条件的案件。");
        return Ok(0);
    }
    println!("案件\t姓名\t身份证件号\t乡镇\t责任学校\t状态\t疑似原因");
    for c in &cases {
        let reasons: Vec<&str> = c.child.reasons.iter().map(|r| r.zh()).collect();
        println!(
            "{}\t{}\t{}\t{}\t{}\t{}{}\t{}",
            c.id,
            c.child.name,
            masked(&c.child.id_number),
            c.child.township,
            or_dash(&c.child.school_code),
            c.state.zh(),
            if c.recheck { "（待核实）" } else { "" },
            reasons.join("；")
        );
    }
    println!("共 {} 件。", cases.len());
    Ok(0)
}

/// `zizhu case show`.
pub async fn show(ctx: &Ctx, id: i64, full_id: bool) -> anyhow::Result<u8> {
    let db = ctx.db().await?;
    let Some(c) = db.case(id).await? else {
        eprintln!("没有编号为 {id} 的案件。");
        return Ok(1);
    };
    if full_id {
        db.audit(
            &ctx.actor,
            "case_view_full_id",
            &format!("case:{id}"),
            "查看完整身份证件号",
        )
        .await?;
    }
    let ch = &c.child;
    println!(
        "案件 {}：{}（{}）",
        c.id,
        ch.name,
        if full_id {
            ch.id_number.clone()
        } else {
            masked(&ch.id_number)
        }
    );
    println!(
        "  状态：{}{}（自 {}）",
        c.state.zh(),
        if c.recheck {
            "，比对结果变化待核实"
        } else {
            ""
        },
        c.state_since.format("%Y-%m-%d")
    );
    println!(
        "  立案：{}；疑似原因：{}",
        c.opened_on.format("%Y-%m-%d"),
        ch.reasons
            .iter()
            .map(|r| r.zh())
            .collect::<Vec<_>>()
            .join("；")
    );
    let groups: Vec<&str> = ch.groups.iter().map(|g| g.zh()).collect();
    println!(
        "  重点关注：{}",
        if groups.is_empty() {
            "无".to_string()
        } else {
            groups.join("、")
        }
    );
    println!(
        "  户籍：{} {}，户号 {}；监护人 {}（{}）",
        ch.township,
        ch.village,
        or_dash(&ch.household_no),
        or_dash(&ch.guardian),
        or_dash(&ch.guardian_phone)
    );
    println!(
        "  责任学校：{}；包保教师：{}；包保干部：{}",
        or_dash(&ch.school_code),
        or_dash(&c.teacher),
        or_dash(&c.official)
    );
    if let Some(r) = c.not_dropout_reason {
        println!(
            "  核实非辍学：{}；{} {}",
            r.zh(),
            c.evidence,
            c.elsewhere_school
        );
    }
    if c.returned_on.is_some() {
        println!(
            "  复学：{}，{}",
            c.returned_school,
            c.returned_on
                .map(|d| d.format("%Y-%m-%d").to_string())
                .unwrap_or_default()
        );
    }
    if !c.plan_teacher.is_empty() {
        println!(
            "  送教上门方案：教师 {}，{}，{}",
            c.plan_teacher, c.plan_frequency, c.plan_content
        );
    }
    if !c.close_reason.is_empty() {
        println!("  销号原因：{}", c.close_reason);
    }
    let next: Vec<String> = MOVES
        .iter()
        .filter(|(k, _)| allowed_keys(c.state).contains(k))
        .map(|(k, zh)| format!("{zh}（{k}）"))
        .collect();
    if !next.is_empty() {
        println!("  下一步可以：{}", next.join("、"));
    }
    println!("  记录：");
    // By the day each thing happened (an action may be entered after a later one).
    let mut events = db.case_events(id).await?;
    events.sort_by_key(|e| e.on);
    for e in events {
        let what = match (e.from_state, e.to_state, e.action) {
            (Some(f), Some(t), _) => format!("{} → {}", f.zh(), t.zh()),
            (None, Some(t), _) => format!("立案（{}）", t.zh()),
            (_, _, Some(a)) => a.zh().to_string(),
            _ => match e.kind.as_str() {
                "assign" => "指定责任人".into(),
                "scan" => "比对".into(),
                other => other.to_string(),
            },
        };
        println!(
            "    {}  {}（{}）  {}  {}",
            e.on.format("%Y-%m-%d"),
            e.actor,
            e.actor_level.zh(),
            what,
            e.note
        );
    }
    Ok(0)
}

/// The command line's options as the fields of a move.
fn fields(a: &MoveArgs) -> zizhu_app::case_forms::MoveFields {
    zizhu_app::case_forms::MoveFields {
        reason: a.reason.clone(),
        evidence: a.evidence.clone(),
        school: a.school.clone(),
        date: a.date,
        teacher: a.teacher.clone(),
        frequency: a.frequency.clone(),
        content: a.content.clone(),
        note: a.note.clone(),
    }
}

/// Builds the move `key` from its options (a missing option is named by its flag).
fn build_move(key: &str, a: &MoveArgs, on: NaiveDate, level: UserLevel) -> Result<Move, String> {
    zizhu_app::case_forms::build_move(key, &fields(a), on, level, &|n| format!(" --{n} "))
}

/// `zizhu case move`.
pub async fn move_case(
    ctx: &Ctx,
    id: i64,
    key: &str,
    args: &MoveArgs,
    level: UserLevel,
    on: Option<NaiveDate>,
) -> anyhow::Result<u8> {
    let rules = rules(ctx)?;
    let on = on.unwrap_or_else(today);
    if on > today() {
        eprintln!("未执行：操作日期 {} 晚于今天", on.format("%Y-%m-%d"));
        return Ok(1);
    }
    let mv = match build_move(key, args, on, level) {
        Ok(mv) => mv,
        Err(msg) => {
            eprintln!("未执行：{msg}");
            return Ok(1);
        }
    };
    let db = ctx.db().await?;
    let note = zizhu_app::case_forms::move_note(&mv, args.note.as_deref());
    match db
        .move_case(id, &mv, &actor(ctx, level), on, &rules, &note)
        .await
    {
        Ok(c) => {
            println!(
                "案件 {}（{}）：{}，现为“{}”。",
                c.id,
                c.child.name,
                mv.zh(),
                c.state.zh()
            );
            Ok(0)
        }
        Err(zizhu_store::StoreError::Invalid(msg)) => {
            eprintln!("未执行：{msg}");
            Ok(1)
        }
        Err(e) => Err(e.into()),
    }
}

/// `zizhu case act`.
pub async fn act(
    ctx: &Ctx,
    id: i64,
    kind: &str,
    note: &str,
    on: Option<NaiveDate>,
    level: UserLevel,
) -> anyhow::Result<u8> {
    let Some(action) = ActionKind::from_key(kind)
        .or_else(|| ActionKind::ALL.iter().copied().find(|a| a.zh() == kind))
    else {
        let all: Vec<String> = ActionKind::ALL
            .iter()
            .map(|a| format!("{}（{}）", a.key(), a.zh()))
            .collect();
        eprintln!("未登记：未知的措施 {kind}；可用：{}", all.join("、"));
        return Ok(1);
    };
    let db = ctx.db().await?;
    let day = on.unwrap_or_else(today);
    match db
        .record_action(id, action, day, today(), &actor(ctx, level), note)
        .await
    {
        Ok(c) => {
            println!(
                "案件 {}（{}）：已登记{}（{}）。",
                c.id,
                c.child.name,
                action.zh(),
                day.format("%Y-%m-%d")
            );
            Ok(0)
        }
        Err(zizhu_store::StoreError::Invalid(msg)) => {
            eprintln!("未登记：{msg}");
            Ok(1)
        }
        Err(e) => Err(e.into()),
    }
}

/// Who a case is assigned to (`zizhu case assign`): any of the three.
pub struct Assignment<'a> {
    pub school: Option<&'a str>,
    pub teacher: Option<&'a str>,
    pub official: Option<&'a str>,
}

/// `zizhu case assign`.
pub async fn assign(
    ctx: &Ctx,
    id: i64,
    who: &Assignment<'_>,
    on: Option<NaiveDate>,
    level: UserLevel,
) -> anyhow::Result<u8> {
    let on = on.unwrap_or_else(today);
    if on > today() {
        eprintln!("未执行：指定日期 {} 晚于今天", on.format("%Y-%m-%d"));
        return Ok(1);
    }
    let db = ctx.db().await?;
    match db
        .assign_case(
            id,
            who.school,
            who.teacher,
            who.official,
            on,
            &actor(ctx, level),
        )
        .await
    {
        Ok(c) => {
            println!(
                "案件 {}（{}）：责任学校 {}，包保教师 {}，包保干部 {}。",
                c.id,
                c.child.name,
                or_dash(&c.child.school_code),
                or_dash(&c.teacher),
                or_dash(&c.official)
            );
            Ok(0)
        }
        Err(zizhu_store::StoreError::Invalid(msg)) => {
            eprintln!("未执行：{msg}");
            Ok(1)
        }
        Err(e) => Err(e.into()),
    }
}

/// Refuses (exit code 1) a report day after today: the ledger cannot be shown as it will be.
fn future_day(on: NaiveDate) -> Option<u8> {
    (on > today()).then(|| {
        eprintln!("未执行：日期 {} 晚于今天", on.format("%Y-%m-%d"));
        1
    })
}

/// `zizhu dropout report`: by township and school, on screen and as XLSX.
pub async fn report(
    ctx: &Ctx,
    as_of: Option<NaiveDate>,
    out: Option<std::path::PathBuf>,
) -> anyhow::Result<u8> {
    let rules = rules(ctx)?;
    let db = ctx.db().await?;
    let on = as_of.unwrap_or_else(today);
    if let Some(refused) = future_day(on) {
        return Ok(refused);
    }
    let path = out.unwrap_or_else(|| report_file(on).into());
    let (r, title) = write_report(&db, &rules, on, &path).await?;
    println!("{title}");
    println!("  乡镇\t立案\t待核查\t非辍学\t确认辍学\t复学\t送教\t销号\t超期\t劝返率");
    for (t, f) in r
        .townships
        .iter()
        .chain(std::iter::once(&("全县合计".to_string(), r.county)))
    {
        let counts: Vec<String> = f.counts().iter().map(i64::to_string).collect();
        println!("  {t}\t{}\t{}", counts.join("\t"), return_rate(f));
    }
    println!("已写入 {}", path.display());
    Ok(0)
}

/// 劝返率 as the report prints it: `12.5%`, or `—` when there is no base.
pub(crate) fn return_rate(f: &zizhu_app::dropout_report::Figures) -> String {
    f.return_rate()
        .map_or("—".to_string(), |r| format!("{r:.1}%"))
}

/// The report's default file name for day `on`.
pub(crate) fn report_file(on: NaiveDate) -> String {
    format!("控辍保学统计-{}.xlsx", on.format("%Y-%m-%d"))
}

/// Counts every case by township and school on day `on` and writes the XLSX to `path`; returns
/// the report and its title.
pub(crate) async fn write_report(
    db: &zizhu_store::Db,
    rules: &zizhu_domain::dropout::DropoutRules,
    on: NaiveDate,
    path: &std::path::Path,
) -> anyhow::Result<(zizhu_app::dropout_report::DropoutReport, String)> {
    let (cases, _) = zizhu_app::dropout_as_of::cases_as_of(db, &CaseFilter::default(), on).await?;
    let schools = db.schools().await?;
    let r = zizhu_app::dropout_report::report(&cases, &schools, rules, on);
    let title = format!("控辍保学工作统计（截至 {}）", on.format("%Y-%m-%d"));
    crate::export::stage(path, &zizhu_app::dropout_report::report_sheets(&r, &title))?.publish()?;
    Ok((r, title))
}

/// `zizhu dropout ledger`: the one-student-one-file ledger as XLSX, a row per case.
pub async fn ledger(
    ctx: &Ctx,
    filter: CaseFilter,
    as_of: Option<NaiveDate>,
    out: Option<std::path::PathBuf>,
    full_id: bool,
) -> anyhow::Result<u8> {
    let rules = rules(ctx)?;
    let db = ctx.db().await?;
    let on = as_of.unwrap_or_else(today);
    if let Some(refused) = future_day(on) {
        return Ok(refused);
    }
    let path = out.unwrap_or_else(|| ledger_file(&filter, on).into());
    let n = write_ledger(&db, &ctx.actor, &rules, &filter, on, &path, full_id).await?;
    println!("已写入 {}（{} 件）", path.display(), n);
    Ok(0)
}

/// Whose ledger a filter selects: a school, a township or the county.
fn ledger_scope(filter: &CaseFilter) -> String {
    match (&filter.school_code, &filter.township) {
        (Some(s), _) => format!("学校 {s}"),
        (None, Some(t)) => t.clone(),
        (None, None) => "全县".to_string(),
    }
}

/// The ledger's default file name for `filter` and day `on`.
pub(crate) fn ledger_file(filter: &CaseFilter, on: NaiveDate) -> String {
    format!(
        "一生一案台账-{}-{}.xlsx",
        file_safe(&ledger_scope(filter)),
        on.format("%Y-%m-%d")
    )
}

/// A scope (school code, township) as part of a file name: no folder separators, controls or
/// direction overrides (which could make `…xlsx` display as another extension).
fn file_safe(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c == '/'
                || c == '\\'
                || c == ':'
                || c.is_control()
                || ('\u{202A}'..='\u{202E}').contains(&c)
                || ('\u{2066}'..='\u{2069}').contains(&c)
            {
                '_'
            } else {
                c
            }
        })
        .collect()
}

/// Writes the cases `filter` selects as the ledger XLSX to `path` (ID numbers masked unless
/// `full_id`), after writing the export to the audit log as `actor`; returns the number of cases.
pub(crate) async fn write_ledger(
    db: &zizhu_store::Db,
    actor: &str,
    rules: &zizhu_domain::dropout::DropoutRules,
    filter: &CaseFilter,
    on: NaiveDate,
    path: &std::path::Path,
    full_id: bool,
) -> anyhow::Result<usize> {
    let (cases, latest) = zizhu_app::dropout_as_of::cases_as_of(db, filter, on).await?;
    let schools = db.schools().await?;
    let scope = ledger_scope(filter);
    use zizhu_app::dropout_report::{ledger_lines, ledger_sheet, was_confirmed};
    let lines = ledger_lines(&cases, &latest, &schools, rules, on, full_id);
    // The 辍学学生台账: the same lines, of the children confirmed out of school.
    let confirmed: Vec<i64> = cases
        .iter()
        .filter(|c| was_confirmed(c))
        .map(|c| c.id)
        .collect();
    let dropouts: Vec<_> = lines
        .iter()
        .filter(|l| confirmed.contains(&l.case_id))
        .cloned()
        .collect();
    let day = on.format("%Y-%m-%d");
    let sheets = [
        ledger_sheet(
            &lines,
            "疑似辍学学生台账",
            &format!("控辍保学疑似失学辍学学生台账（一生一案，{scope}，截至 {day}）"),
        ),
        ledger_sheet(
            &dropouts,
            "辍学学生台账",
            &format!("控辍保学辍学学生台账（确认辍学，{scope}，截至 {day}）"),
        ),
    ];
    let staged = crate::export::stage(path, &sheets)?;
    // In place only once its audit entry is written.
    let what = format!("一生一案台账（{scope}）{} 件", cases.len());
    audit_export(db, actor, "ledger_export", "dropout_case", &what, full_id).await?;
    staged.publish()?;
    Ok(lines.len())
}

/// Records the export of `what` as `action` (`action_full_id` when whole ID numbers are in it).
async fn audit_export(
    db: &zizhu_store::Db,
    actor: &str,
    action: &str,
    target: &str,
    what: &str,
    full_id: bool,
) -> anyhow::Result<()> {
    let (action, note) = if full_id {
        (format!("{action}_full_id"), "，含完整身份证件号")
    } else {
        (action.to_string(), "")
    };
    db.audit(actor, &action, target, &format!("导出{what}{note}"))
        .await?;
    Ok(())
}

/// `zizhu dropout school-age`: the school-age children's ledger (适龄儿童台账) as XLSX.
pub async fn school_age(
    ctx: &Ctx,
    as_of: Option<NaiveDate>,
    term: Option<Term>,
    township: Option<String>,
    out: Option<std::path::PathBuf>,
    full_id: bool,
) -> anyhow::Result<u8> {
    let rules = rules(ctx)?;
    let db = ctx.db().await?;
    let as_of = as_of.unwrap_or_else(today);
    if let Some(refused) = future_day(as_of) {
        return Ok(refused);
    }
    let term = term.unwrap_or_else(|| Term::containing(as_of));
    let kids =
        zizhu_app::school_age::school_age_children(&db, &rules, as_of, term, township.as_deref())
            .await?;
    let scope = township.clone().unwrap_or_else(|| "全县".into());
    let day = as_of.format("%Y-%m-%d");
    let title = format!(
        "控辍保学适龄儿童台账（{scope}，{}学籍，截至 {day}）",
        term.label_zh()
    );
    let path =
        out.unwrap_or_else(|| format!("适龄儿童台账-{}-{day}.xlsx", file_safe(&scope)).into());
    let sheet = zizhu_app::school_age::school_age_sheet(&kids, &title, full_id);
    let staged = crate::export::stage(&path, &[sheet])?;
    // In place only once its audit entry is written.
    let what = format!("适龄儿童台账（{scope}）{} 人", kids.len());
    audit_export(
        &db,
        &ctx.actor,
        "school_age_export",
        "resident",
        &what,
        full_id,
    )
    .await?;
    staged.publish()?;
    let no_registry = kids.iter().filter(|k| k.status.is_none()).count();
    println!(
        "已写入 {}：适龄儿童 {} 人，其中无学籍 {} 人、有案件 {} 人。",
        path.display(),
        kids.len(),
        no_registry,
        kids.iter().filter(|k| k.case.is_some()).count()
    );
    Ok(0)
}
