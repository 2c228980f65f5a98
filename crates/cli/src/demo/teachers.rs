//! The demo's teachers and exchange assignments (三(三)): four fictitious teachers per
//! compulsory-stage school, and a school year of exchanges — mostly from urban schools to rural
//! ones, one the wrong way round (rural to urban), one due to return in June 2024 and one that
//! ended in January 2024. Deterministic for a seed.

use super::ids::build_id;
use super::names::{full_name, surname};
use super::rng::Rng;
use chrono::NaiveDate;
use std::fmt::Write as _;
use zizhu_domain::{Area, School, SchoolKind, Sex};

/// The two CSV files: 教师名单 and 交流轮岗.
pub(crate) struct TeacherFiles {
    pub teachers: String,
    pub exchanges: String,
    /// Assignments written.
    pub assignments: usize,
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

/// Teachers and exchanges for the county's compulsory-stage `schools`.
pub(crate) fn teacher_files(schools: &[School], seed: u64) -> anyhow::Result<TeacherFiles> {
    let mut rng = Rng::new(seed, 0x7EAC);
    let compulsory: Vec<&School> = schools
        .iter()
        .filter(|s| {
            matches!(
                s.kind,
                SchoolKind::Primary | SchoolKind::Junior | SchoolKind::NineYear
            )
        })
        .collect();
    let mut teachers = String::from("身份证件号,姓名,任职学校标识码,教职工号,学段\n");
    // (id, name) per school, in the schools' order.
    let mut staff: Vec<(&School, Vec<(String, String)>)> = Vec::new();
    let mut seq = 1u32;
    for &s in &compulsory {
        let mut list = Vec::new();
        for k in 0..4 {
            let sex = if rng.below(2) == 0 {
                Sex::Male
            } else {
                Sex::Female
            };
            // A birth date of its own per teacher (so every ID is unique), 1972–1995.
            let birth = day(
                1972 + (seq % 24) as i32,
                1 + (seq / 24) % 12,
                1 + (seq / 288) % 28,
            );
            // An odd sequence number for a man, even for a woman (GB 11643).
            let id = build_id(360731, birth, if sex == Sex::Male { 101 } else { 102 })?;
            seq += 1;
            let family = surname(&mut rng);
            let name = full_name(&mut rng, family, sex);
            let stage = if s.kind == SchoolKind::Junior {
                "初中"
            } else {
                "小学"
            };
            let _ = writeln!(teachers, "{id},{name},{},T{:05},{stage}", s.code, seq + k);
            list.push((id, name));
        }
        staff.push((s, list));
    }
    let urban: Vec<usize> = (0..staff.len())
        .filter(|&i| staff[i].0.area == Some(Area::Urban))
        .collect();
    let rural: Vec<usize> = (0..staff.len())
        .filter(|&i| staff[i].0.area == Some(Area::Rural))
        .collect();
    let mut exchanges =
        String::from("身份证件号,姓名,派出学校标识码,接收学校标识码,开始日期,结束日期\n");
    let mut n = 0;
    let mut line =
        |out: &mut String, from: usize, to: usize, who: usize, start: NaiveDate, end: NaiveDate| {
            let (id, name) = &staff[from].1[who];
            let _ = writeln!(
                out,
                "{id},{name},{},{},{start},{end}",
                staff[from].0.code, staff[to].0.code
            );
            n += 1;
        };
    if !rural.is_empty() {
        // One teacher of each urban school (up to twelve) to a rural school for two school years.
        for (k, &u) in urban.iter().take(12).enumerate() {
            let r = rural[k * 7 % rural.len()];
            line(&mut exchanges, u, r, 0, day(2023, 9, 1), day(2025, 8, 31));
            // A second from the spring term, to another rural school.
            let r2 = rural[(k * 7 + 1) % rural.len()];
            line(&mut exchanges, u, r2, 3, day(2024, 2, 1), day(2025, 1, 31));
        }
        if let Some(&u) = urban.first() {
            // Due to return on 2024-06-15: 25 days left.
            line(
                &mut exchanges,
                u,
                rural[0],
                1,
                day(2023, 9, 1),
                day(2024, 7, 10),
            );
            // Ended on 2024-01-31.
            let r = rural[rural.len() / 2];
            line(&mut exchanges, u, r, 2, day(2023, 2, 1), day(2024, 1, 31));
        }
        if let (Some(&r), Some(&u)) = (rural.last(), urban.last()) {
            // The wrong way round: from a rural school to an urban one.
            line(&mut exchanges, r, u, 0, day(2023, 9, 1), day(2024, 8, 31));
        }
    }
    Ok(TeacherFiles {
        teachers,
        exchanges,
        assignments: n,
    })
}
