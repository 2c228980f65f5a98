//! The demo's Excel workbooks: 学校名单, the spring 2023 registry, 脱贫户 members, 城镇困难家庭 and
//! the household-registration extract of the compulsory-age children (户籍适龄人口), each with a merged title row marking the data as synthetic above the header, the way county
//! offices lay out their sheets. Fixed document dates keep the files byte-identical per seed.

use super::catalog::{grade_label, GradeStyle};
use super::county::Township;
use super::ids::to_15;
use super::lists::{yes_no, AssistRow, PoorRow, Student};
use super::population::ResidentRow;
use super::schools::PlannedSchool;
use chrono::{Datelike, NaiveDate};
use rust_xlsxwriter::{DocProperties, Format, FormatAlign, Workbook, Worksheet};
use std::path::Path;
use zizhu_domain::{ApprovalLevel, SchoolKind};

/// The note every file carries where its format allows.
pub(crate) const SYNTHETIC: &str = "（演示数据，人员均为虚构）";

fn book(created: NaiveDate, title: &str) -> Workbook {
    let mut wb = Workbook::new();
    let props = DocProperties::new()
        .set_title(title)
        .set_author("于都县教育体育局（演示）")
        .set_creation_datetime(&created);
    wb.set_properties(&props);
    // Fast compression: the files are a little larger, written in half the time.
    wb.set_zip_compression_level(1);
    wb
}

/// Writes the merged title row (row 0) over `headers.len()` columns, optional extra note rows,
/// then the header; returns the first data row.
fn head(ws: &mut Worksheet, title: &str, notes: &[&str], headers: &[&str]) -> anyhow::Result<u32> {
    let title_fmt = Format::new()
        .set_bold()
        .set_font_size(14)
        .set_align(FormatAlign::Center);
    let head_fmt = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Center);
    let last = headers.len().saturating_sub(1) as u16;
    ws.merge_range(0, 0, 0, last, title, &title_fmt)?;
    let mut row = 1;
    for n in notes {
        ws.write_string(row, 0, *n)?;
        row += 1;
    }
    for (c, h) in headers.iter().enumerate() {
        ws.write_string_with_format(row, c as u16, *h, &head_fmt)?;
        ws.set_column_width(c as u16, if h.chars().count() > 4 { 16 } else { 10 })?;
    }
    Ok(row + 1)
}

fn kind_label(kind: SchoolKind) -> &'static str {
    match kind {
        SchoolKind::Junior => "初级中学",
        SchoolKind::Vocational => "中等职业学校",
        k => k.zh(),
    }
}

/// `schools.xlsx`.
pub(crate) fn schools(
    path: &Path,
    schools: &[PlannedSchool],
    towns: &[Township],
) -> anyhow::Result<()> {
    let mut wb = book(
        NaiveDate::from_ymd_opt(2023, 2, 20).unwrap_or_default(),
        "于都县学校名单",
    );
    let ws = wb.add_worksheet();
    ws.set_name("学校名单")?;
    let headers = [
        "学校标识码",
        "学校名称",
        "办学类型",
        "办学性质",
        "所在乡镇",
        "是否普惠性幼儿园",
        "审批级别",
        "城乡类型",
    ];
    let first = head(ws, &format!("于都县学校名单{SYNTHETIC}"), &[], &headers)?;
    for (row, s) in (first..).zip(schools) {
        let kg = s.kind == SchoolKind::Kindergarten;
        let approval = match (kg, s.approval) {
            (false, _) => "",
            (true, ApprovalLevel::None) => "无",
            (true, a) => match a {
                ApprovalLevel::County => "县级",
                ApprovalLevel::City => "市级",
                a => a.zh(),
            },
        };
        let town = towns.get(s.township).map_or("", |t| t.name.as_str());
        let cells = [
            s.code.as_str(),
            &s.name,
            kind_label(s.kind),
            if s.public { "公办" } else { "民办" },
            town,
            if kg { yes_no(s.inclusive) } else { "" },
            approval,
            if s.urban { "城区" } else { "乡村" },
        ];
        for (c, v) in cells.iter().enumerate() {
            ws.write_string(row, c as u16, *v)?;
        }
    }
    wb.save(path)?;
    Ok(())
}

/// `students-2023-spring.xlsx`: title, a 制表日期 row, a header with a line break inside
/// 身份证件号, birth dates as real date cells.
pub(crate) fn spring_students(
    path: &Path,
    students: &[Student],
    schools: &[PlannedSchool],
) -> anyhow::Result<()> {
    let mut wb = book(
        NaiveDate::from_ymd_opt(2023, 3, 1).unwrap_or_default(),
        "于都县2023年春季学期学生名单",
    );
    let ws = wb.add_worksheet();
    ws.set_name("学生名单")?;
    let headers = [
        "序号",
        "姓名",
        "性别",
        "出生日期",
        "身份证\n件号",
        "学籍号",
        "学校标识码",
        "学校名称",
        "年级",
        "班级",
        "是否住校",
        "是否特教班",
        "是否随班就读",
        "户口性质",
        "专业",
        "是否涉农专业",
        "学习形式",
        "学籍状态",
        "家庭经济困难认定",
    ];
    let title = format!("于都县2023年春季学期学生名单{SYNTHETIC}");
    let first = head(ws, &title, &["制表日期：2023年3月1日"], &headers)?;
    let date_fmt = Format::new().set_num_format("yyyy-mm-dd");
    for (row, (n, s)) in (first..).zip(students.iter().enumerate()) {
        let Some(school) = schools.get(s.school) else {
            continue;
        };
        ws.write_number(row, 0, (n + 1) as f64)?;
        ws.write_string(row, 1, &s.name)?;
        ws.write_string(row, 2, s.sex.zh())?;
        ws.write_date_with_format(row, 3, s.birth, &date_fmt)?;
        let grade = grade_label(school.kind, s.level, GradeStyle::Numbered);
        let cells = [
            s.id.as_str(),
            &s.student_no,
            &school.code,
            &school.name,
            &grade,
            &s.class,
            yes_no(s.boarding),
            yes_no(s.special_class),
            yes_no(s.inclusion),
        ];
        for (c, v) in cells
            .iter()
            .copied()
            .chain(s.registry_tail(true))
            .enumerate()
        {
            ws.write_string(row, 4 + c as u16, v)?;
        }
    }
    wb.save(path)?;
    Ok(())
}

/// `poor-households.xlsx`: members of 建档立卡/脱贫户 households; the first two household heads
/// born before 1986 keep their old 15-digit ID numbers.
pub(crate) fn poor_households(path: &Path, rows: &[PoorRow], old_ids: usize) -> anyhow::Result<()> {
    let mut wb = book(
        NaiveDate::from_ymd_opt(2023, 9, 15).unwrap_or_default(),
        "于都县脱贫户家庭成员名单",
    );
    let ws = wb.add_worksheet();
    ws.set_name("脱贫户成员")?;
    let headers = [
        "序号",
        "乡镇",
        "村",
        "户编号",
        "户主姓名",
        "姓名",
        "与户主关系",
        "身份证号",
        "贫困状态",
        "脱贫年度",
        "家庭人口数",
    ];
    let title = format!("于都县脱贫户（建档立卡）家庭成员名单{SYNTHETIC}");
    let first = head(ws, &title, &[], &headers)?;
    let mut fifteen = 0;
    for (row, (n, r)) in (first..).zip(rows.iter().enumerate()) {
        let mut id = r.id.clone();
        if fifteen < old_ids && r.relation == "户主" && r.birth.year() < 1986 {
            if let Some(old) = to_15(&r.id) {
                id = old;
                fifteen += 1;
            }
        }
        ws.write_number(row, 0, (n + 1) as f64)?;
        let cells = [
            r.township.as_str(),
            r.village,
            &r.household_no,
            &r.head_name,
            &r.name,
            r.relation,
            &id,
            r.status.zh(),
        ];
        for (c, v) in cells.iter().enumerate() {
            ws.write_string(row, 1 + c as u16, *v)?;
        }
        if let Some(y) = r.exit_year {
            ws.write_number(row, 9, f64::from(y))?;
        }
        ws.write_number(row, 10, r.size as f64)?;
    }
    wb.save(path)?;
    Ok(())
}

/// `urban-hardship.xlsx`: start dates as date cells, end dates as text `2023年12月31日`.
pub(crate) fn urban_hardship(path: &Path, rows: &[AssistRow]) -> anyhow::Result<()> {
    let mut wb = book(
        NaiveDate::from_ymd_opt(2023, 9, 20).unwrap_or_default(),
        "于都县城镇困难职工家庭名单",
    );
    let ws = wb.add_worksheet();
    ws.set_name("城镇困难家庭")?;
    let headers = ["序号", "姓名", "身份证号", "开始日期", "结束日期"];
    let first = head(
        ws,
        &format!("于都县城镇困难职工家庭名单{SYNTHETIC}"),
        &[],
        &headers,
    )?;
    let date_fmt = Format::new().set_num_format("yyyy/m/d");
    for (row, (n, r)) in (first..).zip(rows.iter().enumerate()) {
        ws.write_number(row, 0, (n + 1) as f64)?;
        ws.write_string(row, 1, &r.name)?;
        ws.write_string(row, 2, &r.id)?;
        if let Some(f) = r.from {
            ws.write_date_with_format(row, 3, f, &date_fmt)?;
        }
        if let Some(t) = r.to {
            ws.write_string(
                row,
                4,
                format!("{}年{}月{}日", t.year(), t.month(), t.day()),
            )?;
        }
    }
    wb.save(path)?;
    Ok(())
}

/// `residents.xlsx`: the public-security extract of the compulsory-age children, one row per
/// child, with a 数据截止 note row; the education bureau has added 划片学校 for the children no
/// school has.
pub(crate) fn residents(
    path: &Path,
    rows: &[ResidentRow],
    schools: &[PlannedSchool],
) -> anyhow::Result<()> {
    let mut wb = book(
        NaiveDate::from_ymd_opt(2023, 10, 8).unwrap_or_default(),
        "于都县户籍义务教育适龄人口名单",
    );
    let ws = wb.add_worksheet();
    ws.set_name("适龄人口")?;
    let headers = [
        "序号",
        "乡镇",
        "村（社区）",
        "户号",
        "姓名",
        "性别",
        "身份证号",
        "出生日期",
        "监护人",
        "联系电话",
        "划片学校标识码",
        "是否孤儿",
        "是否事实无人抚养儿童",
        "是否留守儿童",
        "是否困境儿童",
        "是否随迁子女",
    ];
    let title = format!("于都县户籍义务教育适龄人口名单{SYNTHETIC}");
    let note = "户籍数据截至2023年9月30日（2008年9月1日至2017年8月31日出生）";
    let first = head(ws, &title, &[note], &headers)?;
    for (row, (n, r)) in (first..).zip(rows.iter().enumerate()) {
        ws.write_number(row, 0, (n + 1) as f64)?;
        let zone = r
            .zone_school
            .and_then(|i| schools.get(i))
            .map_or("", |s| s.code.as_str());
        let cells = [
            r.township.as_str(),
            r.village,
            &r.household_no,
            &r.name,
            r.sex.zh(),
            &r.id,
            &r.birth.format("%Y-%m-%d").to_string(),
            &r.guardian,
            &r.phone,
            zone,
            yes_no(r.orphan),
            yes_no(r.unsupported),
            yes_no(r.left_behind),
            yes_no(r.hardship),
            yes_no(r.migrant),
        ];
        for (c, v) in cells.iter().enumerate() {
            ws.write_string(row, 1 + c as u16, *v)?;
        }
    }
    wb.save(path)?;
    Ok(())
}
