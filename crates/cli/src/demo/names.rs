//! Obviously synthetic Chinese names: every given name contains 演 (as in 演示), e.g. 刘演华, 钟演芳.
//! Also the rare names the importer must keep intact: a CJK Extension-B character (𥙿), an
//! Extension-A character (㙦) and minority names with a middle dot (阿依演·买买提).

use super::rng::Rng;
use zizhu_domain::Sex;

/// Common surnames of southern Jiangxi, with rough weights.
const SURNAMES: [(u32, &str); 30] = [
    (90, "刘"),
    (60, "钟"),
    (55, "李"),
    (50, "肖"),
    (50, "陈"),
    (45, "曾"),
    (40, "谢"),
    (40, "黄"),
    (35, "罗"),
    (35, "张"),
    (30, "邱"),
    (25, "管"),
    (20, "丁"),
    (20, "易"),
    (20, "温"),
    (20, "赖"),
    (20, "王"),
    (15, "杨"),
    (15, "郭"),
    (15, "朱"),
    (12, "胡"),
    (12, "袁"),
    (10, "宋"),
    (10, "段"),
    (10, "康"),
    (10, "林"),
    (10, "彭"),
    (10, "吴"),
    (8, "徐"),
    (8, "孙"),
];
const MALE: [&str; 25] = [
    "华", "明", "伟", "军", "平", "强", "林", "斌", "杰", "鹏", "涛", "宇", "浩", "俊", "文", "龙",
    "辉", "海", "峰", "磊", "建", "勇", "东", "志", "锋",
];
const FEMALE: [&str; 25] = [
    "芳", "华", "英", "红", "丽", "敏", "静", "婷", "霞", "燕", "萍", "玲", "娟", "琴", "梅", "兰",
    "雪", "慧", "洁", "颖", "欣", "怡", "雨", "悦", "瑶",
];

/// The character every given name contains.
pub(crate) const MARK: char = '演';

/// A random surname.
pub(crate) fn surname(rng: &mut Rng) -> &'static str {
    rng.weighted_pick(&SURNAMES, "刘")
}

/// A full name with the given surname: mostly surname + 演 + one character, sometimes the
/// character first (刘华演) or 演 alone (刘演).
pub(crate) fn full_name(rng: &mut Rng, surname: &str, sex: Sex) -> String {
    let pool: &[&str] = if sex == Sex::Male { &MALE } else { &FEMALE };
    let c = rng.pick(pool).copied().unwrap_or("华");
    match rng.below(20) {
        0..=16 => format!("{surname}{MARK}{c}"),
        17 | 18 => format!("{surname}{c}{MARK}"),
        _ => format!("{surname}{MARK}"),
    }
}

/// A name with a CJK Extension-B character (𥙿 U+2567F, outside the BMP).
pub(crate) fn ext_b_name(surname: &str) -> String {
    format!("{surname}{MARK}\u{2567F}")
}

/// A name with a CJK Extension-A character (㙦 U+3666).
pub(crate) fn ext_a_name(surname: &str) -> String {
    format!("{surname}\u{3666}{MARK}")
}

/// A minority name written with the standard middle dot U+00B7 (the disabled-persons file
/// retypes it with `•` U+2022).
pub(crate) fn minority_name(sex: Sex) -> String {
    match sex {
        Sex::Female => "阿依演·买买提".to_string(),
        Sex::Male => "艾力演·吐尔逊".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_contains_the_mark() {
        let mut rng = Rng::new(3, 0);
        for i in 0..500 {
            let sex = if i % 2 == 0 { Sex::Male } else { Sex::Female };
            let s = surname(&mut rng);
            let n = full_name(&mut rng, s, sex);
            assert!(n.starts_with(s) && n.contains(MARK), "{n}");
            assert!((2..=3).contains(&n.chars().count()), "{n}");
        }
        assert!(ext_b_name("曾").contains('\u{2567F}'));
        assert!(ext_a_name("钟").contains('\u{3666}'));
        assert!(minority_name(Sex::Male).contains('·') && minority_name(Sex::Male).contains(MARK));
    }
}
