//! The payment section of the policy file (`[payment]`): who pays, how many paid families each
//! school calls back (回访), and the columns of each bank's disbursement file — all a county edits
//! without a programmer.

use serde::Deserialize;

/// Who pays a program's guardians or students.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PayingUnit {
    /// The county's aid centre (县学生资助管理中心), one batch for the county.
    #[default]
    County,
    /// Each school pays its own students (高中、中职国家助学金 are often paid so): a batch a school.
    School,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaymentSection {
    /// The county's paying unit as it appears on batches and bank files.
    pub county_unit: String,
    /// Paid students drawn per school for verification with their families (回访), each term.
    pub verification_sample: u32,
    /// The banks' disbursement file formats (代发文件), by name; the first is the default.
    #[serde(rename = "bank_format")]
    pub bank_formats: Vec<BankFormat>,
}

/// The columns a bank wants in its disbursement file, in order.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BankFormat {
    pub name: String,
    pub columns: Vec<BankColumn>,
    /// `utf-8` or `gbk` for the CSV version (banks' systems often read only GBK).
    #[serde(default = "utf8")]
    pub csv_encoding: String,
}

fn utf8() -> String {
    "utf-8".into()
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BankColumn {
    /// The header the bank's system expects.
    pub header: String,
    pub field: BankField,
}

/// What a column of a bank file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BankField {
    /// 1, 2, 3 … in the file.
    Seq,
    /// The payment line's number: the bank returns it in its result file.
    LineId,
    PayeeName,
    AccountNo,
    AccountKind,
    Bank,
    /// 元 with two decimals, e.g. `625.00`.
    AmountYuan,
    /// 分, an integer.
    AmountFen,
    StudentName,
    /// The student's school code.
    SchoolCode,
    ProgramName,
    /// 摘要: program name and term, e.g. `义务教育家庭经济困难寄宿生生活补助 2023年秋季学期`.
    Remark,
}
