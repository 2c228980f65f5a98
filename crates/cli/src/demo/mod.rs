//! The sample county generator behind `zizhu demo` and `zizhu bench`: a synthetic 于都县 (360731)
//! with its schools, two terms of student registry and the other departments' lists, written in
//! the formats and with the faults county offices really produce. Every person is fictitious
//! (every given name contains 演); the same seed gives byte-identical files everywhere.

mod autumn;
mod bench;
mod catalog;
mod county;
mod family;
mod ids;
mod lists;
mod memberships;
mod names;
mod people;
mod population;
mod rng;
mod schools;
pub(crate) mod teachers;
mod text;
mod xlsx;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_dropout;
#[cfg(test)]
mod tests_files;

pub use bench::generate_bench;

use anyhow::Context;
use lists::{Collect, Lists, Student};
use people::Gen;
use rng::Rng;
use schools::PlannedSchool;
use std::path::{Path, PathBuf};
use zizhu_domain::{ListKind, Season, Term};

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoSpec {
    /// Students per term (the spring registry has exactly this many; autumn about as many).
    pub students: usize,
    /// Random seed; the same seed gives byte-identical files.
    pub seed: u64,
}

impl Default for DemoSpec {
    fn default() -> DemoSpec {
        DemoSpec {
            students: 50_000,
            seed: 2023,
        }
    }
}

/// One generated file, in the order it should be imported.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoFile {
    /// Which list it is (the `KIND` of `zizhu import KIND FILE`).
    pub kind: ListKind,
    /// Where it was written.
    pub path: PathBuf,
    /// The term of a student registry; `None` for other lists.
    pub term: Option<Term>,
    /// The importer must reject this file (deliberate faults); a corrected file follows it.
    pub expect_rejected: bool,
    /// What the file shows, in Chinese, for the user.
    pub note: &'static str,
}

/// What was generated.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoManifest {
    /// In import order.
    pub files: Vec<DemoFile>,
    /// County code (GB/T 2260), `360731`.
    pub county_code: String,
    /// County name, `于都县`.
    pub county_name: String,
    /// Number of schools.
    pub schools: usize,
    /// Registry rows per term (the autumn count includes the duplicate enrolment).
    pub students_per_term: Vec<(Term, usize)>,
}

/// The spring and autumn 2023 terms.
pub(crate) const SPRING: Term = Term {
    year: 2023,
    season: Season::Spring,
};
pub(crate) const AUTUMN: Term = Term {
    year: 2023,
    season: Season::Autumn,
};

/// The largest demo: the spring registry must fit one Excel sheet (1,048,576 rows).
pub const MAX_DEMO_STUDENTS: usize = 1_000_000;

/// Everything the demo writes, in memory.
pub(crate) struct DemoData {
    pub towns: Vec<county::Township>,
    pub schools: Vec<PlannedSchool>,
    pub spring: Vec<Student>,
    pub autumn: Vec<Student>,
    pub lists: Lists,
    /// The household-registration extract of the compulsory-age children (控辍保学).
    pub residents: Vec<population::ResidentRow>,
    /// The schools' attendance returns for autumn 2023.
    pub attendance: population::Attendance,
}

/// Generates the demo population in memory.
pub(crate) fn build(spec: &DemoSpec) -> anyhow::Result<DemoData> {
    let towns = county::townships()?;
    let plan = schools::plan_schools(&towns, spec.students, &mut Rng::new(spec.seed, 1));
    let quotas = schools::allocate(&plan, spec.students);
    let mut gen = Gen::new(Rng::new(spec.seed, 2), towns, plan, spec.students);
    let mut sink = Collect::default();
    for (i, quota) in quotas.iter().enumerate() {
        gen.roster(i, quota, SPRING, &mut sink)?;
    }
    let spring = std::mem::take(&mut sink.students);
    let autumn = autumn::autumn(&mut gen, &spring, &quotas, AUTUMN, &mut sink)?;
    gen.unrelated_adults(spec.students, &mut sink)?;
    // The dropout-control inputs come from a stream of their own: the rest of the county is the
    // same with or without them.
    gen.rng = Rng::new(spec.seed, 3);
    let mut planted = Collect::default();
    let residents = population::residents(
        &mut gen,
        &autumn,
        &sink.lists.poor,
        spec.students,
        &mut planted,
    )?;
    let attendance = population::attendance(&mut gen, &autumn, spec.students);
    let mut lists = sink.lists;
    lists.poor.append(&mut planted.lists.poor);
    lists.disabled.append(&mut planted.lists.disabled);
    // Households grouped by township, as the poverty-alleviation office sorts them.
    lists
        .poor
        .sort_by(|a, b| a.household_no.cmp(&b.household_no));
    Ok(DemoData {
        towns: gen.towns,
        schools: gen.schools,
        spring,
        autumn,
        lists,
        residents,
        attendance,
    })
}

fn file(
    dir: &Path,
    name: &str,
    kind: ListKind,
    term: Option<Term>,
    note: &'static str,
) -> DemoFile {
    DemoFile {
        kind,
        path: dir.join(name),
        term,
        expect_rejected: false,
        note,
    }
}

/// Writes the demo county into `dir` (created if missing): schools, the spring 2023 registry
/// (xlsx), the autumn 2023 registry (GBK text disguised as .xls), 脱贫户, 低保 (a faulty original
/// and the corrected file), 特困供养, 残疾人, 城镇困难家庭, 2023 高考录取, and for dropout control
/// the household-registration extract of the compulsory-age children (xlsx) and the schools'
/// autumn attendance returns (GBK CSV). Errors when a file cannot be written or `spec.students`
/// exceeds [`MAX_DEMO_STUDENTS`].
pub fn generate(dir: &Path, spec: &DemoSpec) -> anyhow::Result<DemoManifest> {
    if spec.students > MAX_DEMO_STUDENTS {
        anyhow::bail!(
            "演示数据每学期最多 {MAX_DEMO_STUDENTS} 名学生（Excel 单张工作表最多 1048576 行），更大规模请用 zizhu bench"
        );
    }
    std::fs::create_dir_all(dir).with_context(|| format!("无法创建目录：{}", dir.display()))?;
    let data = build(spec)?;
    let l = &data.lists;
    let files = vec![
        file(dir, "schools.xlsx", ListKind::Schools, None, "于都县学校名单（xlsx，表头上方有合并的标题行）"),
        file(dir, "students-2023-spring.xlsx", ListKind::Students, Some(SPRING),
            "2023年春季学期学籍（xlsx：标题行、制表日期行，表头单元格内有换行，出生日期为Excel日期）"),
        file(dir, "students-2023-autumn.xls", ListKind::Students, Some(AUTUMN),
            "2023年秋季学期学籍（学籍系统导出的.xls，实为GBK编码的制表符分隔文本，长数字前带'；有一名学生在两所学校重复注册）"),
        file(dir, "poor-households.xlsx", ListKind::PoorHouseholds, None,
            "脱贫户（建档立卡）家庭成员（含学籍中没有的适龄儿童，供控辍保学比对；两名户主为15位旧身份证号）"),
        DemoFile {
            expect_rejected: true,
            ..file(dir, "dibao-2023-原始.csv", ListKind::Dibao, None,
                "低保原始导出（GBK）：有3行错误——身份证号校验位错误、身份证号被Excel转成科学计数法3.60731E+17、日期“2023年2月30日”不存在；应整体拒绝导入")
        },
        file(dir, "dibao-2023.csv", ListKind::Dibao, None, "低保名单（GBK，已更正上述3行）"),
        file(dir, "tekun.csv", ListKind::Tekun, None, "特困供养名单（UTF-8，带BOM）"),
        file(dir, "disabled.csv", ListKind::Disabled, None, "残疾人名单（UTF-8，无BOM；少数民族姓名的间隔号写作“•”）"),
        file(dir, "urban-hardship.xlsx", ListKind::UrbanHardship, None,
            "城镇困难家庭名单（xlsx；开始日期为Excel日期，结束日期为“2023年12月31日”式文本）"),
        file(dir, "college-admissions-2023.csv", ListKind::CollegeAdmissions, None, "2023年高考录取名单（GBK）"),
        file(dir, "residents.xlsx", ListKind::Residents, None,
            "户籍义务教育适龄人口（xlsx，公安户籍导出；含不在任何学校学籍中的适龄儿童：随父母在县外就读、重度残疾、脱贫家庭、留守、困境儿童）"),
        file(dir, "attendance-2023-autumn.csv", ListKind::Attendance, Some(AUTUMN),
            "2023年秋季学期各校在校学生名单（GBK；有几名学生在籍但未到校，一两所学校未报送）"),
    ];
    let path = |i: usize| files.get(i).map(|f| f.path.clone()).unwrap_or_default();
    xlsx::schools(&path(0), &data.schools, &data.towns)?;
    xlsx::spring_students(&path(1), &data.spring, &data.schools)?;
    text::autumn_students(&path(2), &data.autumn, &data.schools)?;
    xlsx::poor_households(&path(3), &l.poor, 2)?;
    let faults =
        text::pick_faults(&l.dibao).context("低保名单不足3行，无法制作含错误的原始文件")?;
    text::dibao(&path(4), &l.dibao, Some(faults))?;
    text::dibao(&path(5), &l.dibao, None)?;
    text::tekun(&path(6), &l.tekun)?;
    text::disabled(&path(7), &l.disabled)?;
    xlsx::urban_hardship(&path(8), &l.urban)?;
    text::admissions(&path(9), &l.admissions)?;
    xlsx::residents(&path(10), &data.residents, &data.schools)?;
    text::attendance(
        &path(11),
        &data.autumn,
        &data.attendance.present,
        &data.schools,
        &data.towns,
    )?;
    Ok(DemoManifest {
        files,
        county_code: county::COUNTY_CODE.to_string(),
        county_name: county::COUNTY_NAME.to_string(),
        schools: data.schools.len(),
        students_per_term: vec![(SPRING, data.spring.len()), (AUTUMN, data.autumn.len())],
    })
}
