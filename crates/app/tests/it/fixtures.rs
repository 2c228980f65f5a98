//! Small, obviously synthetic county files for the stories.

use std::path::{Path, PathBuf};
use zizhu_domain::ids::check_char;

/// A valid ID for 于都县 (360731) with the given birth date and sequence.
pub fn id(birth: &str, seq: u32) -> String {
    let first17 = format!("360731{birth}{seq:03}");
    let c = check_char(&first17).unwrap_or('0');
    format!("{first17}{c}")
}

pub fn write(dir: &Path, name: &str, content: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, content).unwrap_or_else(|e| panic!("write {name}: {e}"));
    p
}

pub const SCHOOLS: &str = "学校标识码,学校名称,办学类型,办学性质,所在乡镇,是否普惠性幼儿园,审批级别
2136000001,于都县贡江镇演示小学,小学,公办,贡江镇,否,
2136000002,于都县演示第二中学,初中,公办,贡江镇,否,
2136000003,于都县禾丰镇演示幼儿园,幼儿园,公办,禾丰镇,是,县级
2136000004,于都县演示第一中学,普通高中,公办,贡江镇,否,
2136000005,于都县演示特殊教育学校,特殊教育学校,公办,贡江镇,否,
2136000006,于都县演示职业中专,中职,公办,贡江镇,否,
2136000007,于都县银坑镇演示九年一贯制学校,九年一贯制学校,公办,银坑镇,否,
";

/// People of the story, by letter.
pub struct People {
    pub a: String,
    pub b: String,
    pub c: String,
    pub d: String,
    pub e: String,
    pub f: String,
    pub g: String,
    pub h: String,
    pub i: String,
    pub k: String,
    pub l: String,
    pub m: String,
    pub n: String,
    pub parent: String,
}

pub fn people() -> People {
    People {
        a: id("20100315", 11),
        b: id("20110420", 12),
        c: id("20150506", 13),
        d: id("20140607", 14),
        e: id("20190708", 15),
        f: id("20070809", 16),
        g: id("20100910", 17),
        h: id("20101011", 18),
        i: id("20080112", 19),
        k: id("20100213", 20),
        l: id("20050314", 21),
        m: id("20050415", 22),
        n: id("20120516", 23),
        parent: id("19800101", 31),
    }
}

pub fn students(p: &People) -> String {
    let rows = [
        // name, id, school, grade, boarding, hukou, major, agri, status, difficulty
        (
            "甲演一",
            &p.a,
            "2136000002",
            "八年级",
            "是",
            "农业",
            "",
            "",
            "在读",
            "不困难",
        ),
        (
            "乙演二",
            &p.b,
            "2136000002",
            "七年级",
            "否",
            "农业",
            "",
            "",
            "在读",
            "不困难",
        ),
        (
            "丙演三",
            &p.c,
            "2136000001",
            "三年级",
            "否",
            "农业",
            "",
            "",
            "在读",
            "不困难",
        ),
        (
            "丁演四",
            &p.d,
            "2136000001",
            "四年级",
            "否",
            "农业",
            "",
            "",
            "在读",
            "不困难",
        ),
        (
            "戊演五",
            &p.e,
            "2136000003",
            "中班",
            "否",
            "农业",
            "",
            "",
            "在读",
            "不困难",
        ),
        (
            "己演六",
            &p.f,
            "2136000004",
            "高二",
            "否",
            "农业",
            "",
            "",
            "在读",
            "不困难",
        ),
        (
            "庚演七",
            &p.g,
            "2136000005",
            "八年级",
            "是",
            "农业",
            "",
            "",
            "在读",
            "不困难",
        ),
        (
            "辛演八",
            &p.h,
            "2136000002",
            "八年级",
            "是",
            "非农业",
            "",
            "",
            "在读",
            "一般困难",
        ),
        (
            "壬演九",
            &p.i,
            "2136000006",
            "中职一年级",
            "否",
            "农业",
            "计算机应用",
            "否",
            "在读",
            "不困难",
        ),
        (
            "甲演一",
            &p.a,
            "2136000007",
            "八年级",
            "是",
            "农业",
            "",
            "",
            "在读",
            "不困难",
        ),
        (
            "癸演十",
            &p.k,
            "2136000002",
            "八年级",
            "是",
            "农业",
            "",
            "",
            "休学",
            "不困难",
        ),
    ];
    let mut s = String::from("姓名,身份证件号,学籍号,学校标识码,年级,是否住校,户口性质,专业,是否涉农专业,学籍状态,家庭经济困难认定\n");
    for r in rows {
        s.push_str(&format!(
            "{},{},G{},{},{},{},{},{},{},{},{}\n",
            r.0, r.1, r.1, r.2, r.3, r.4, r.5, r.6, r.7, r.8, r.9
        ));
    }
    s
}

pub fn poor(p: &People) -> String {
    let mut s = String::from("户编号,姓名,身份证号,与户主关系,贫困状态,脱贫年度\n");
    for (hh, name, id, rel) in [
        ("H001", "甲父演", &p.parent, "户主"),
        ("H001", "甲演一", &p.a, "之子"),
        ("H002", "乙演二", &p.b, "之女"),
        ("H003", "戊演五", &p.e, "之孙"),
        ("H004", "己演六", &p.f, "之子"),
        ("H005", "庚演七", &p.g, "之子"),
        ("H006", "癸演十", &p.k, "之子"),
        ("H007", "子演十一", &p.l, "之女"),
        ("H001", "丑演十三", &p.n, "之女"),
    ] {
        s.push_str(&format!("{hh},{name},{id},{rel},已脱贫,2019\n"));
    }
    s
}

pub fn dibao(p: &People) -> String {
    format!(
        "姓名,身份证号,城乡类别,开始日期,结束日期\n丙演三,{},农村,2023-01-01,2023-12-31\n丁演四,{},农村,2022-01-01,2023-06-30\n寅演十二,{},城市,,\n",
        p.c, p.d, p.m
    )
}

pub fn admissions(p: &People) -> String {
    format!(
        "考生号,姓名,身份证号,录取院校,院校所在省份,录取年份\n23360731001,子演十一,{},南昌演示大学,江西省,2023\n23360731002,寅演十二,{},长沙演示学院,湖南省,2023\n23360731003,卯演十四,{},南昌演示大学,江西省,2023\n",
        p.l, p.m, admittee_without_registry()
    )
}

/// An admittee on no list and in no imported registry term: granted nothing, reported (DQ-007).
pub fn admittee_without_registry() -> String {
    id("20050617", 24)
}
