//! `zizhu explain ID --term …`: for one person and term, in Chinese, every program with why it was
//! granted or not — the clause, each condition with the value that decided it, the lists (import
//! batch and row) behind each category — and whether it agrees with the stored roster.

use crate::matching::{apply_categories, same_province, student_facts, ListIndex};
use crate::AppError;
use std::fmt::Write;
use zizhu_domain::{Difficulty, IdNumber, ListKind, Term};
use zizhu_policy::{FactInput, Policy, Subject};
use zizhu_store::Db;

/// Builds the explanation text. `full_id` shows the whole ID number (the caller audits that).
pub async fn explain(
    db: &Db,
    policy: &Policy,
    term: Term,
    raw_id: &str,
    full_id: bool,
) -> Result<String, AppError> {
    let (id, _) =
        IdNumber::parse(raw_id).map_err(|e| AppError::Other(format!("身份证件号无效：{e}")))?;
    let shown = if full_id {
        id.as_str().to_string()
    } else {
        id.masked()
    };
    let tp = policy.compile(term)?;
    let lists = db.list_rows_for(id.as_str()).await?;
    let mut dibao = Vec::new();
    let mut tekun = Vec::new();
    let mut urban = Vec::new();
    for (kind, row) in lists.assistance {
        match kind {
            ListKind::Dibao => dibao.push(row),
            ListKind::Tekun => tekun.push(row),
            _ => urban.push(row),
        }
    }
    let index = ListIndex::build(
        lists.poor_members,
        dibao,
        tekun,
        urban,
        lists.disabled,
        tp.reference_date,
    );
    let students = db.students_for(term, id.as_str()).await?;
    let schools = db.schools().await?;
    let imports = db.imports().await?;
    let import_name = |iid: i64| {
        imports
            .iter()
            .find(|b| b.id == iid)
            .map(|b| format!("第{}批导入《{}》", b.id, b.file_name))
            .unwrap_or_default()
    };
    let mut s = String::new();
    let _ = writeln!(s, "{} 资助计算说明", term.label_zh());
    let _ = writeln!(
        s,
        "政策：《{}》 版本 {}；基准日 {}（{}）",
        policy.file.policy.name,
        policy.file.policy.version,
        tp.reference_date,
        tp.payable_reference
    );
    let _ = writeln!(s, "身份证件号：{shown}");
    let once_mask = {
        let ids: Vec<String> = tp
            .programs
            .iter()
            .filter(|p| p.once_per_person)
            .map(|p| p.id.clone())
            .collect();
        let prior = db.prior_grants(&ids, term).await?;
        tp.programs
            .iter()
            .enumerate()
            .filter(|(_, p)| prior.contains(&(id.as_str().to_string(), p.id.clone())))
            .fold(0u32, |m, (i, _)| m | (1 << i))
    };
    if students.is_empty() {
        let _ = writeln!(s, "\n本学期学籍中没有此人。");
    }
    for st in &students {
        let r = &st.record;
        let school = schools.iter().find(|x| x.code == r.school_code);
        let _ = writeln!(
            s,
            "\n学籍：{} 学籍号 {}，{}（{}）{}年级 {}，{}，{}，学籍状态 {}（{} 第{}行）",
            r.name,
            r.student_no,
            school.map(|x| x.name.as_str()).unwrap_or("未知学校"),
            r.school_code,
            r.grade,
            r.class,
            if r.boarding { "寄宿" } else { "走读" },
            r.hukou.map(|h| h.zh()).unwrap_or("户口性质未知"),
            r.status.zh(),
            import_name(st.import_id),
            st.row_no
        );
        let cats = index.categories(id.as_str(), r.difficulty, (st.import_id, st.row_no));
        write_categories(&mut s, &cats, &import_name);
        let fi = student_facts(r, school, &cats, index.poor_exited(id.as_str()));
        write_verdicts(&mut s, &tp, Subject::Student, fi, once_mask);
    }
    let admissions: Vec<_> = lists
        .admissions
        .iter()
        .filter(|a| a.record.year == term.year)
        .collect();
    for a in admissions {
        // Same rule as compute: the school's recognition of the newest registry record up to this term.
        let latest = db
            .latest_student_records(&[id.as_str().to_string()], term)
            .await?;
        let last = latest.get(id.as_str());
        let difficulty = last
            .map(|x| x.record.difficulty)
            .unwrap_or(Difficulty::NotDifficult);
        let registry = last.map(|x| (x.import_id, x.row_no)).unwrap_or((0, 0));
        let _ = writeln!(
            s,
            "\n高考录取：{} 考生号 {}，{}（{}），{}年（{} 第{}行）",
            a.record.name,
            a.record.exam_no,
            a.record.college,
            a.record.college_province,
            a.record.year,
            import_name(a.import_id),
            a.row_no
        );
        let cats = index.categories(id.as_str(), difficulty, registry);
        write_categories(&mut s, &cats, &import_name);
        let mut fi = FactInput {
            college_admitted: true,
            college_in_province: same_province(&a.record.college_province, &tp.province),
            difficulty: Some(difficulty),
            full_time: true,
            ..FactInput::default()
        };
        apply_categories(&mut fi, &cats, index.poor_exited(id.as_str()));
        write_verdicts(&mut s, &tp, Subject::Admission, fi, once_mask);
    }
    let stored = db.entitlements_for(term, id.as_str()).await?;
    let _ = writeln!(s, "\n已计算名单（数据库）中本学期的记录：");
    if stored.is_empty() {
        let _ = writeln!(s, "  无");
    }
    for e in &stored {
        let _ = writeln!(
            s,
            "  {}（{}）{} 元，领取人：{}",
            e.program_name,
            e.clause,
            zizhu_domain::Fen(e.amount_fen),
            payee_zh(&e.payee)
        );
    }
    Ok(s)
}

fn payee_zh(k: &str) -> &'static str {
    match k {
        "guardian" => "学生监护人",
        "student" => "学生本人",
        "school" => "学校",
        _ => "未知",
    }
}

fn write_categories(
    s: &mut String,
    cats: &[crate::matching::MatchedCategory],
    import_name: &dyn Fn(i64) -> String,
) {
    if cats.is_empty() {
        let _ = writeln!(s, "认定类别：无（不在任何困难名单中，学校认定为不困难）");
        return;
    }
    let _ = writeln!(s, "认定类别：");
    for c in cats {
        if c.list == ListKind::Students {
            let _ = writeln!(
                s,
                "  · {}：{}（学籍，{} 第{}行）",
                c.category.zh(),
                c.detail,
                import_name(c.import_id),
                c.row_no
            );
        } else {
            let _ = writeln!(
                s,
                "  · {}：{}（{}名单，{} 第{}行）",
                c.category.zh(),
                c.detail,
                c.list.zh(),
                import_name(c.import_id),
                c.row_no
            );
        }
    }
}

fn write_verdicts(
    s: &mut String,
    tp: &zizhu_policy::TermPolicy,
    subject: Subject,
    fi: FactInput,
    once_mask: u32,
) {
    for v in tp.explain(subject, fi.facts(), once_mask) {
        let head = match v.amount {
            Some(a) => format!("✔ 发放 {a} 元"),
            None => "✘ 不发放".to_string(),
        };
        let _ = writeln!(s, "\n【{}】{}（条款 {}）", v.name, head, v.clause);
        for l in v.lines {
            let _ = writeln!(s, "    {l}");
        }
    }
}
