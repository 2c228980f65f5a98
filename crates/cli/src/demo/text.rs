//! The demo's text files: the registration system's autumn export (GBK tab-separated text named
//! `.xls`, long digit strings prefixed with `'`), 低保 as GBK CSV (an original with three damaged
//! rows and the corrected one), 特困供养 as UTF-8 CSV with BOM, 残疾人 as UTF-8 CSV without BOM
//! (minority names typed with `•`), 高考录取 and the schools' attendance returns as GBK CSV.
//! Windows files end lines with CRLF.

use super::catalog::{grade_label, GradeStyle, DISABILITY, DISABILITY_GRADE};
use super::county::Township;
use super::lists::{yes_no, AdmissionRow, AssistRow, DisabledRow, Student};
use super::schools::PlannedSchool;
use anyhow::Context;
use chrono::{Datelike, NaiveDate};
use std::collections::HashMap;
use std::path::Path;
use zizhu_domain::Area;

/// Encodes as GBK. Uses the GB18030 encoder, which writes every GBK character with the same two
/// bytes and can also write the rare names (𥙿, 㙦) that plain GBK cannot hold; the importer
/// decodes GBK with the GB18030 decoder, as the WHATWG encoding standard does.
pub(crate) fn gbk(text: &str) -> Vec<u8> {
    encoding_rs::GB18030.encode(text).0.into_owned()
}

/// A delimited text file built in memory, field by field, in UTF-8 or GBK. GBK fields are
/// encoded one at a time (a GBK trail byte is never a delimiter, quote or line end) and cached,
/// since most values repeat (school names, labels, names).
struct TextOut {
    w: csv::Writer<Vec<u8>>,
    gbk: Option<HashMap<String, Vec<u8>>>,
}

impl TextOut {
    fn new(delimiter: u8, crlf: bool, gbk: bool) -> TextOut {
        let term = if crlf {
            csv::Terminator::CRLF
        } else {
            csv::Terminator::Any(b'\n')
        };
        let w = csv::WriterBuilder::new()
            .delimiter(delimiter)
            .terminator(term)
            .from_writer(Vec::new());
        TextOut {
            w,
            gbk: gbk.then(HashMap::new),
        }
    }

    fn record(&mut self, fields: &[&str]) -> anyhow::Result<()> {
        let Some(cache) = self.gbk.as_mut() else {
            self.w.write_record(fields)?;
            return Ok(());
        };
        for &f in fields {
            if f.is_ascii() {
                self.w.write_field(f)?;
            } else {
                let bytes = cache.entry(f.to_string()).or_insert_with(|| gbk(f));
                self.w.write_field(bytes.as_slice())?;
            }
        }
        self.w.write_record(None::<&[u8]>)?;
        Ok(())
    }

    fn save(self, path: &Path, bom: bool) -> anyhow::Result<()> {
        let body = self.w.into_inner().context("CSV 写入失败")?;
        let mut bytes = if bom {
            vec![0xEF, 0xBB, 0xBF]
        } else {
            Vec::new()
        };
        bytes.extend(body);
        std::fs::write(path, bytes).with_context(|| format!("无法写入文件：{}", path.display()))
    }
}

fn slash(d: Option<NaiveDate>) -> String {
    d.map(|d| format!("{}/{}/{}", d.year(), d.month(), d.day()))
        .unwrap_or_default()
}

fn iso(d: Option<NaiveDate>) -> String {
    d.map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

fn area(a: Area) -> &'static str {
    match a {
        Area::Rural => "农村",
        Area::Urban => "城市",
    }
}

/// `students-2023-autumn.xls`: the registration system's export, really GBK tab-separated text.
pub(crate) fn autumn_students(
    path: &Path,
    students: &[Student],
    schools: &[PlannedSchool],
) -> anyhow::Result<()> {
    let mut out = TextOut::new(b'\t', true, true);
    out.record(&[
        "学校标识码",
        "学校名称",
        "姓名",
        "性别",
        "出生日期",
        "身份证件类型",
        "身份证件号",
        "学籍号",
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
    ])?;
    for s in students {
        let Some(school) = schools.get(s.school) else {
            continue;
        };
        let head: [&str; 13] = [
            &format!("'{}", school.code),
            school.name.as_str(),
            &s.name,
            s.sex.zh(),
            &s.birth.format("%Y-%m-%d").to_string(),
            "居民身份证",
            &format!("'{}", s.id),
            &s.student_no,
            &grade_label(school.kind, s.level, GradeStyle::Short),
            &s.class,
            if s.boarding { "住校" } else { "走读" },
            yes_no(s.special_class),
            yes_no(s.inclusion),
        ];
        let cells: Vec<&str> = head.iter().copied().chain(s.registry_tail(false)).collect();
        out.record(&cells)?;
    }
    out.save(path, false)
}

/// Which rows of the original 低保 file are damaged (0-based data-row indexes) and how.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DibaoFaults {
    pub checksum: usize,
    pub scientific: usize,
    pub bad_date: usize,
}

/// Picks three distinct rows: a wrong check character near 1/4, an ID shown by Excel in
/// scientific notation near 1/2 (an ID starting 360731, so it reads `3.60731E+17`), an impossible
/// date near 3/4 (a row with a start date). `None` for fewer than three rows.
pub(crate) fn pick_faults(rows: &[AssistRow]) -> Option<DibaoFaults> {
    let n = rows.len();
    let find = |start: usize, ok: &dyn Fn(&AssistRow) -> bool, used: &[usize]| {
        (start..n)
            .chain(0..start)
            .find(|&i| !used.contains(&i) && rows.get(i).is_some_and(ok))
    };
    let checksum = find(n / 4, &|_| true, &[])?;
    let scientific = find(n / 2, &|r| r.id.starts_with("360731"), &[checksum])
        .or_else(|| find(n / 2, &|_| true, &[checksum]))?;
    let bad_date = find(3 * n / 4, &|r| r.from.is_some(), &[checksum, scientific])
        .or_else(|| find(3 * n / 4, &|_| true, &[checksum, scientific]))?;
    Some(DibaoFaults {
        checksum,
        scientific,
        bad_date,
    })
}

/// The ID with a wrong check character (the next one in 0–9, X).
pub(crate) fn wrong_check(id: &str) -> String {
    const CHECKS: &str = "0123456789X";
    let last = id.chars().last().unwrap_or('0');
    let pos = CHECKS.find(last).unwrap_or(0);
    let next = CHECKS.chars().cycle().nth(pos + 1).unwrap_or('0');
    format!("{}{next}", id.get(..17).unwrap_or(id))
}

/// How Excel shows an 18-digit number in a General cell: 6 significant digits, e.g. `3.60731E+17`.
pub(crate) fn scientific(id: &str) -> String {
    let digits: String = id.chars().take(6).collect();
    let mantissa = format!(
        "{}.{}",
        digits.get(..1).unwrap_or("0"),
        digits.get(1..).unwrap_or("")
    );
    format!(
        "{}E+17",
        mantissa.trim_end_matches('0').trim_end_matches('.')
    )
}

/// `dibao-2023.csv` and, when `faults` is given, its damaged original `dibao-2023-原始.csv`.
pub(crate) fn dibao(
    path: &Path,
    rows: &[AssistRow],
    faults: Option<DibaoFaults>,
) -> anyhow::Result<()> {
    let mut out = TextOut::new(b',', true, true);
    out.record(&[
        "序号",
        "乡镇",
        "姓名",
        "身份证号",
        "城乡类别",
        "开始日期",
        "结束日期",
    ])?;
    for (i, r) in rows.iter().enumerate() {
        let mut id = r.id.clone();
        let mut from = slash(r.from);
        if let Some(f) = faults {
            if i == f.checksum {
                id = wrong_check(&id);
            } else if i == f.scientific {
                id = scientific(&id);
            } else if i == f.bad_date {
                from = "2023年2月30日".into();
            }
        }
        out.record(&[
            &(i + 1).to_string(),
            r.township.as_str(),
            &r.name,
            &id,
            area(r.area),
            &from,
            &slash(r.to),
        ])?;
    }
    out.save(path, false)
}

/// `tekun.csv`: UTF-8 with BOM (Excel's "CSV UTF-8").
pub(crate) fn tekun(path: &Path, rows: &[AssistRow]) -> anyhow::Result<()> {
    let mut out = TextOut::new(b',', true, false);
    out.record(&[
        "姓名",
        "身份证号",
        "城乡类别",
        "供养方式",
        "开始日期",
        "结束日期",
    ])?;
    for r in rows {
        let how = if r.centralised {
            "集中供养"
        } else {
            "分散供养"
        };
        out.record(&[
            r.name.as_str(),
            &r.id,
            area(r.area),
            how,
            &iso(r.from),
            &iso(r.to),
        ])?;
    }
    out.save(path, true)
}

/// `disabled.csv`: UTF-8 without BOM, LF line ends; the middle dot of minority names typed as `•`.
pub(crate) fn disabled(path: &Path, rows: &[DisabledRow]) -> anyhow::Result<()> {
    let mut out = TextOut::new(b',', false, false);
    out.record(&[
        "姓名",
        "身份证号",
        "残疾人证号",
        "残疾类别",
        "残疾等级",
        "发证日期",
    ])?;
    for r in rows {
        let category = DISABILITY
            .get(usize::from(r.category).saturating_sub(1))
            .copied()
            .unwrap_or("多重");
        let grade = DISABILITY_GRADE
            .get(usize::from(r.grade).saturating_sub(1))
            .copied()
            .unwrap_or("四级");
        let issued = format!(
            "{}年{}月{}日",
            r.issued.year(),
            r.issued.month(),
            r.issued.day()
        );
        out.record(&[
            r.name.replace('·', "•").as_str(),
            &r.id,
            &r.certificate(),
            category,
            grade,
            &issued,
        ])?;
    }
    out.save(path, false)
}

/// `college-admissions-2023.csv` (GBK).
pub(crate) fn admissions(path: &Path, rows: &[AdmissionRow]) -> anyhow::Result<()> {
    let mut out = TextOut::new(b',', true, true);
    out.record(&[
        "考生号",
        "姓名",
        "身份证号",
        "录取院校",
        "院校所在省份",
        "录取批次",
        "录取年份",
    ])?;
    for r in rows {
        out.record(&[
            r.exam_no.as_str(),
            &r.name,
            &r.id,
            r.college,
            r.province,
            r.batch,
            &r.year.to_string(),
        ])?;
    }
    out.save(path, false)
}

/// `attendance-2023-autumn.csv` (GBK): the schools' returns as the county collects them, one row
/// per student a school reports in school (`present`: indexes into the autumn registry).
pub(crate) fn attendance(
    path: &Path,
    autumn: &[Student],
    present: &[usize],
    schools: &[PlannedSchool],
    towns: &[Township],
) -> anyhow::Result<()> {
    let mut out = TextOut::new(b',', true, true);
    out.record(&[
        "序号",
        "乡镇",
        "学校标识码",
        "学校名称",
        "年级",
        "班级",
        "姓名",
        "身份证件号",
    ])?;
    let rows = present
        .iter()
        .filter_map(|&i| autumn.get(i))
        .filter_map(|s| schools.get(s.school).map(|x| (s, x)));
    for (n, (s, school)) in rows.enumerate() {
        let town = towns.get(school.township).map_or("", |t| t.name.as_str());
        out.record(&[
            &(n + 1).to_string(),
            town,
            &school.code,
            &school.name,
            &grade_label(school.kind, s.level, GradeStyle::Numbered),
            &s.class,
            &s.name,
            &s.id,
        ])?;
    }
    out.save(path, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excel_damage() {
        assert_eq!(scientific("360731201105051234"), "3.60731E+17");
        assert_eq!(scientific("360700201105051234"), "3.607E+17");
        assert_eq!(wrong_check("11010519491231002X"), "110105194912310020");
        assert_eq!(wrong_check("440308199901101512"), "440308199901101513");
    }

    #[test]
    fn gbk_encoding_is_two_bytes_for_common_chars() {
        assert_eq!(gbk("演"), vec![0xD1, 0xDD]);
        assert_eq!(gbk("·"), vec![0xA1, 0xA4]);
        assert_eq!(gbk("\u{2567F}").len(), 4);
    }
}
