//! Hand-run throughput check (not a timed test):
//! `cargo test -p zizhu-io --release --test it -- --ignored --nocapture throughput`.

use crate::fixtures::*;
use chrono::Days;
use std::time::Instant;
use zizhu_domain::ListKind;

/// A students CSV of `n` distinct rows, every row valid.
fn big_students_csv(n: usize) -> Vec<u8> {
    const SURNAMES: [&str; 10] = ["张", "王", "李", "赵", "刘", "陈", "杨", "黄", "周", "吴"];
    const GIVEN: [&str; 10] = [
        "小明", "小红", "小刚", "丽", "强", "芳", "伟", "静", "磊", "敏",
    ];
    let mut out = String::with_capacity(n * 110);
    out.push_str(
        "姓名,身份证件号,学籍号,学校标识码,年级,班级,是否住校,学籍状态,家庭经济困难认定\n",
    );
    for i in 0..n {
        let birth = date(2008, 1, 1) + Days::new((i % 3000) as u64);
        let id = make_id(
            "360731",
            &birth.format("%Y%m%d").to_string(),
            &format!("{:03}", i / 3000),
        );
        let name = format!("{}{}", SURNAMES[i % 10], GIVEN[(i / 10) % 10]);
        let school = 3_607_000_001u64 + (i % 50) as u64;
        let boarding = if i % 3 == 0 { "是" } else { "否" };
        out.push_str(&format!(
            "{name},{id},G{id},{school},{}年级,{}班,{boarding},在读,不困难\n",
            ["一", "二", "三", "四", "五", "六"][i % 6],
            i % 8 + 1
        ));
    }
    out.into_bytes()
}

#[test]
#[ignore = "throughput check, run by hand in release mode"]
fn throughput_200k_students() {
    let n = 200_000;
    let bytes = big_students_csv(n);
    let mb = bytes.len() as f64 / 1e6;
    let start = Instant::now();
    let rows = zizhu_io::open_list(ListKind::Students, bytes, "big.csv").unwrap();
    let (mut ok, mut bad) = (0usize, 0usize);
    for o in rows {
        if o.result.is_ok() {
            ok += 1;
        } else {
            bad += 1;
        }
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{n} rows ({mb:.1} MB): {ok} ok, {bad} rejected in {secs:.2} s = {:.0} rows/s",
        n as f64 / secs
    );
    assert_eq!((ok, bad), (n, 0));
}
