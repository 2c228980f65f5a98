//! One row of a school's 零收费发放记录 (三(一)): the school year, school, student, item, date and
//! quantity of an in-kind provision; the insurer and policy number for an accident insurance.

use super::cells::RowCtx;
use super::records::{school_code, Built};
use crate::columns::Field;
use zizhu_domain::zero_fee::{in_school_year, Issue, ZeroFeeItem, ITEM_NAMES};
use zizhu_domain::ListRecord;

/// The most of one item a student is given in a year: more is a typing error.
const MAX_QUANTITY: u32 = 20;

/// 学年 as `2023`, `2023年`, `2023学年`, `2023学年度` or `2023-2024` (the second year must follow
/// the first): the year its autumn term begins in.
fn school_year(c: &mut RowCtx<'_>) -> Option<i32> {
    let s = c.text(Field::Year, true)?;
    let t = s
        .trim_end_matches("学年度")
        .trim_end_matches("学年")
        .trim_end_matches("年度")
        .trim_end_matches('年')
        .trim();
    let parts: Vec<&str> = t
        .split(['-', '—', '–', '~', '至', '/'])
        .map(str::trim)
        .collect();
    let year = match parts.as_slice() {
        [y] => y.parse::<i32>().ok(),
        [a, b] => match (a.parse::<i32>(), b.parse::<i32>()) {
            (Ok(a), Ok(b)) if b == a + 1 => Some(a),
            _ => None,
        },
        _ => None,
    };
    match year {
        Some(y) if (2000..=2100).contains(&y) => Some(y),
        _ => {
            c.error(
                Field::Year,
                "不是学年，应写作 2023 或 2023-2024（2023学年：2023年9月1日至2024年8月31日）",
            );
            None
        }
    }
}

fn quantity(c: &mut RowCtx<'_>) -> Option<u32> {
    let s = c.text(Field::Quantity, true)?;
    match s.trim().parse::<u32>() {
        Ok(q) if (1..=MAX_QUANTITY).contains(&q) => Some(q),
        Ok(0) => {
            c.error(Field::Quantity, "数量须大于 0");
            None
        }
        Ok(_) => {
            c.error(Field::Quantity, format!("数量超过 {MAX_QUANTITY}，请核对"));
            None
        }
        Err(_) => {
            c.error(Field::Quantity, "数量应为正整数，如 1");
            None
        }
    }
}

/// A school's issue of one item to one student.
pub(super) fn issue(c: &mut RowCtx<'_>) -> Built {
    let year = school_year(c);
    let school = school_code(c);
    let id = c.id(Field::IdNumber);
    let name = c.name(Field::Name);
    let item = c.label(Field::ZeroFeeItem, true, ZeroFeeItem::parse, ITEM_NAMES);
    let issued_on = c.date(Field::IssuedOn, true);
    if let Some(d) = issued_on.filter(|d| *d > c.today()) {
        // An issue is recorded once made (review: a 2099 school year broke the default view).
        c.error(Field::IssuedOn, format!("发放日期 {d} 晚于今天"));
    } else if let (Some(y), Some(d)) = (year, issued_on) {
        if !in_school_year(d, y) {
            c.error(
                Field::IssuedOn,
                format!("不在{y}学年内（{y}年9月1日至{}年8月31日）", y + 1),
            );
        }
    }
    let quantity = quantity(c);
    let insurer = c.text(Field::Insurer, false);
    let policy_no = c.as_given(Field::PolicyNo, false);
    let (insurer, policy_no) = match item {
        Some(i) if i.is_insurance() => {
            if insurer.is_none() {
                c.error(Field::Insurer, "学生意外伤害保险须填写承保单位（三(一)3）");
            }
            if policy_no.is_none() {
                c.error(Field::PolicyNo, "学生意外伤害保险须填写保单号（三(一)3）");
            }
            // As long as the web form takes them (review: 10,000 characters were stored).
            if insurer.as_ref().is_some_and(|v| v.chars().count() > 100) {
                c.error(Field::Insurer, "承保单位太长（最多 100 个字）");
            }
            if policy_no.as_ref().is_some_and(|v| v.chars().count() > 60) {
                c.error(Field::PolicyNo, "保单号太长（最多 60 个字）");
            }
            (insurer, policy_no)
        }
        Some(_) => {
            if insurer.is_some() {
                c.warn(Field::Insurer, "仅学生意外伤害保险填写承保单位，已忽略");
            }
            if policy_no.is_some() {
                c.warn(Field::PolicyNo, "仅学生意外伤害保险填写保单号，已忽略");
            }
            (None, None)
        }
        None => (None, None),
    };
    let dup_key = match (&id, year, item) {
        (Some(i), Some(y), Some(it)) => Some((
            format!("{}|{y}|{}", i.as_str(), it.key()),
            Field::ZeroFeeItem,
            "同一学年同一学生的同一项目",
        )),
        _ => None,
    };
    let record = match (year, school, id, name, item, issued_on, quantity) {
        (
            Some(school_year),
            Some(school_code),
            Some(id),
            Some(name),
            Some(item),
            Some(issued_on),
            Some(quantity),
        ) => Some(ListRecord::ZeroFeeIssue(Issue {
            school_year,
            school_code,
            id_number: id.as_str().to_string(),
            name,
            item,
            issued_on,
            quantity,
            insurer,
            policy_no,
        })),
        _ => None,
    };
    Built { record, dup_key }
}
