//! The benchmark input: the same generator, one term (2023 autumn), plain UTF-8 CSVs with the
//! canonical headers and no faults, written row by row as generated so that 10 million students
//! never sit in memory (only the school plan and the ID counters do).

use super::catalog::{grade_label, GradeStyle, DISABILITY, DISABILITY_GRADE};
use super::county::{self, Township};
use super::lists::{yes_no, ListRow, RowsOnly, Sink, Student};
use super::people::Gen;
use super::rng::Rng;
use super::schools::{self, PlannedSchool};
use super::{DemoFile, DemoManifest, AUTUMN, SPRING};
use anyhow::Context;
use chrono::NaiveDate;
use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use zizhu_domain::{Area, ListKind, SchoolKind};

type Out = csv::Writer<BufWriter<File>>;

fn open(path: &Path, header: &[&str]) -> anyhow::Result<Out> {
    let f = File::create(path).with_context(|| format!("无法创建文件：{}", path.display()))?;
    let mut w = csv::WriterBuilder::new().from_writer(BufWriter::with_capacity(1 << 20, f));
    w.write_record(header)?;
    Ok(w)
}

fn iso(d: Option<NaiveDate>) -> String {
    d.map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

fn area(a: Area) -> &'static str {
    if a == Area::Rural {
        "农村"
    } else {
        "城市"
    }
}

/// Writes every row straight to its CSV file.
struct CsvSink {
    schools: Vec<(String, SchoolKind)>,
    students: Out,
    poor: Out,
    dibao: Out,
    tekun: Out,
    urban: Out,
    disabled: Out,
    admissions: Out,
    student_rows: usize,
}

impl Sink for CsvSink {
    fn student(&mut self, s: Student) -> anyhow::Result<()> {
        let Some((code, kind)) = self.schools.get(s.school) else {
            return Ok(());
        };
        let head = [
            s.name.as_str(),
            s.sex.zh(),
            &s.birth.format("%Y-%m-%d").to_string(),
            &s.id,
            &s.student_no,
            code,
            &grade_label(*kind, s.level, GradeStyle::Numbered),
            &s.class,
            yes_no(s.boarding),
            yes_no(s.special_class),
            yes_no(s.inclusion),
        ];
        self.students
            .write_record(head.iter().copied().chain(s.registry_tail(false)))?;
        self.student_rows += 1;
        Ok(())
    }

    fn row(&mut self, r: ListRow) -> anyhow::Result<()> {
        match r {
            ListRow::Poor(p) => self.poor.write_record([
                p.household_no.as_str(),
                &p.name,
                &p.id,
                p.relation,
                p.status.zh(),
                &p.exit_year.map(|y| y.to_string()).unwrap_or_default(),
                &p.township,
                p.village,
            ])?,
            ListRow::Dibao(a) => self.dibao.write_record([
                a.name.as_str(),
                &a.id,
                area(a.area),
                &iso(a.from),
                &iso(a.to),
            ])?,
            ListRow::Tekun(a) => self.tekun.write_record([
                a.name.as_str(),
                &a.id,
                area(a.area),
                &iso(a.from),
                &iso(a.to),
            ])?,
            ListRow::UrbanHardship(a) => {
                self.urban
                    .write_record([a.name.as_str(), &a.id, &iso(a.from), &iso(a.to)])?
            }
            ListRow::Disabled(d) => {
                let cat = DISABILITY
                    .get(usize::from(d.category).saturating_sub(1))
                    .copied()
                    .unwrap_or("多重");
                let grade = DISABILITY_GRADE
                    .get(usize::from(d.grade).saturating_sub(1))
                    .copied()
                    .unwrap_or("四级");
                self.disabled.write_record([
                    d.name.as_str(),
                    &d.id,
                    &d.certificate(),
                    cat,
                    grade,
                ])?
            }
            ListRow::Admission(a) => self.admissions.write_record([
                a.exam_no.as_str(),
                &a.name,
                &a.id,
                a.college,
                a.province,
                &a.year.to_string(),
            ])?,
        }
        Ok(())
    }
}

fn write_schools(path: &Path, plan: &[PlannedSchool], towns: &[Township]) -> anyhow::Result<()> {
    let mut w = open(
        path,
        &[
            "学校标识码",
            "学校名称",
            "办学类型",
            "办学性质",
            "所在乡镇",
            "是否普惠性幼儿园",
            "审批级别",
            "城乡类型",
        ],
    )?;
    for s in plan {
        let kg = s.kind == SchoolKind::Kindergarten;
        w.write_record([
            s.code.as_str(),
            &s.name,
            s.kind.zh(),
            if s.public { "公办" } else { "民办" },
            towns.get(s.township).map_or("", |t| t.name.as_str()),
            if kg { yes_no(s.inclusive) } else { "" },
            if kg { s.approval.zh() } else { "" },
            if s.urban { "城区" } else { "乡村" },
        ])?;
    }
    w.flush()?;
    Ok(())
}

/// For benchmarks: `students` students of the 2023 autumn term (schools scaled to about one per
/// 520 students) and their families on every list, as plain UTF-8 CSVs without faults, streamed
/// to `dir` (created if missing). The 高考录取 list holds the spring 2023 高三 graduates, who are
/// generated for their families and admissions only. Errors when a file cannot be written or the
/// ID sequence numbers run out (far beyond 10 million students).
pub fn generate_bench(dir: &Path, students: usize, seed: u64) -> anyhow::Result<DemoManifest> {
    std::fs::create_dir_all(dir).with_context(|| format!("无法创建目录：{}", dir.display()))?;
    let towns = county::townships()?;
    let plan = schools::plan_schools(&towns, students, &mut Rng::new(seed, 1));
    let quotas = schools::allocate(&plan, students);
    let names = [
        (ListKind::Schools, "schools.csv", "学校名单"),
        (
            ListKind::Students,
            "students-2023-autumn.csv",
            "2023年秋季学期学籍",
        ),
        (
            ListKind::PoorHouseholds,
            "poor-households.csv",
            "脱贫户（建档立卡）家庭成员",
        ),
        (ListKind::Dibao, "dibao.csv", "低保名单"),
        (ListKind::Tekun, "tekun.csv", "特困供养名单"),
        (ListKind::Disabled, "disabled.csv", "残疾人名单"),
        (
            ListKind::UrbanHardship,
            "urban-hardship.csv",
            "城镇困难家庭名单",
        ),
        (
            ListKind::CollegeAdmissions,
            "college-admissions-2023.csv",
            "2023年高考录取名单",
        ),
    ];
    let files: Vec<DemoFile> = names
        .iter()
        .map(|&(kind, name, note)| DemoFile {
            kind,
            path: dir.join(name),
            term: (kind == ListKind::Students).then_some(AUTUMN),
            expect_rejected: false,
            note,
        })
        .collect();
    let p = |i: usize| -> PathBuf { files.get(i).map(|f| f.path.clone()).unwrap_or_default() };
    write_schools(&p(0), &plan, &towns)?;
    let assist = ["姓名", "身份证号", "城乡类别", "开始日期", "结束日期"];
    let mut sink = CsvSink {
        schools: plan.iter().map(|s| (s.code.clone(), s.kind)).collect(),
        students: open(
            &p(1),
            &[
                "姓名",
                "性别",
                "出生日期",
                "身份证件号",
                "学籍号",
                "学校标识码",
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
            ],
        )?,
        poor: open(
            &p(2),
            &[
                "户编号",
                "姓名",
                "身份证号",
                "与户主关系",
                "贫困状态",
                "脱贫年度",
                "乡镇",
                "村",
            ],
        )?,
        dibao: open(&p(3), &assist)?,
        tekun: open(&p(4), &assist)?,
        disabled: open(
            &p(5),
            &["姓名", "身份证号", "残疾人证号", "残疾类别", "残疾等级"],
        )?,
        urban: open(&p(6), &["姓名", "身份证号", "开始日期", "结束日期"])?,
        admissions: open(
            &p(7),
            &[
                "考生号",
                "姓名",
                "身份证号",
                "录取院校",
                "院校所在省份",
                "录取年份",
            ],
        )?,
        student_rows: 0,
    };
    let n_schools = plan.len();
    let mut gen = Gen::new(Rng::new(seed, 2), towns, plan, students);
    for (i, quota) in quotas.iter().enumerate() {
        gen.roster(i, quota, AUTUMN, &mut sink)?;
        let senior = gen
            .schools
            .get(i)
            .is_some_and(|s| matches!(s.kind, SchoolKind::Senior | SchoolKind::Complete));
        if senior {
            // Last spring's 高三, for their families and the admissions list only.
            for _ in 0..quota[14] {
                gen.new_student(i, 14, SPRING, None, &mut RowsOnly(&mut sink))?;
            }
        }
    }
    gen.unrelated_adults(students, &mut sink)?;
    for w in [
        &mut sink.students,
        &mut sink.poor,
        &mut sink.dibao,
        &mut sink.tekun,
        &mut sink.urban,
        &mut sink.disabled,
        &mut sink.admissions,
    ] {
        w.flush()?;
    }
    Ok(DemoManifest {
        files,
        county_code: county::COUNTY_CODE.to_string(),
        county_name: county::COUNTY_NAME.to_string(),
        schools: n_schools,
        students_per_term: vec![(AUTUMN, sink.student_rows)],
    })
}
