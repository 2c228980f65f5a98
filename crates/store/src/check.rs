//! Checks of what the schema does not enforce itself.

use crate::error::{Ctx, StoreResult};
use crate::Db;

/// Each reference that migration 0003 stopped enforcing with a foreign key (and the lists of
/// 0005, written the same way) (list rows and computed
/// results are bulk-written by the transaction that made their import batch or run, with ids it
/// had just made or read): what the user is told, and the column that names a row elsewhere.
#[rustfmt::skip]
const REFERENCES: &[(&str, &str, &str, &str)] = &[
    // (what the user is told, table, column, the table it names)
    ("学校名单引用了不存在的导入批次", "school", "import_id", "import_batch"),
    ("学籍引用了不存在的导入批次", "student", "import_id", "import_batch"),
    ("建档立卡名单引用了不存在的导入批次", "poor_member", "import_id", "import_batch"),
    ("低保、特困、城镇困难名单引用了不存在的导入批次", "assistance", "import_id", "import_batch"),
    ("残疾人名单引用了不存在的导入批次", "disabled_person", "import_id", "import_batch"),
    ("高考录取名单引用了不存在的导入批次", "college_admission", "import_id", "import_batch"),
    ("户籍适龄人口名单引用了不存在的导入批次", "resident", "import_id", "import_batch"),
    ("在校学生名单引用了不存在的导入批次", "attendance", "import_id", "import_batch"),
    ("困难类别引用了不存在的计算批次", "category", "run_id", "compute_run"),
    ("困难类别引用了不存在的导入批次", "category", "import_id", "import_batch"),
    ("资助名单引用了不存在的计算批次", "entitlement", "run_id", "compute_run"),
    ("数据质量问题引用了不存在的计算批次", "quality_issue", "run_id", "compute_run"),
];

impl Db {
    /// Rows of lists or computed results that name an import batch or a compute run that does not exist,
    /// as (what, how many rows); empty when every reference holds. `migrate-store` and `restore`
    /// refuse a database that fails it.
    ///
    /// Errors: [`crate::StoreError::Db`].
    pub async fn dangling_references(&self) -> StoreResult<Vec<(&'static str, i64)>> {
        let mut out = Vec::new();
        for (what, table, column, parent) in REFERENCES {
            // Our own table and column names only.
            let sql = format!(
                "SELECT COUNT(*) FROM {table} x WHERE NOT EXISTS \
                 (SELECT 1 FROM {parent} p WHERE p.id = x.{column})"
            );
            let n: i64 = db_run!(self, |pool| sqlx::query_scalar(sqlx::AssertSqlSafe(
                sql.clone()
            ))
            .fetch_one(pool)
            .await)
            .ctx("检查数据引用")?;
            if n > 0 {
                out.push((*what, n));
            }
        }
        // A line's trace is named by run and number (migration 0004).
        const TRACE: &str = "SELECT COUNT(*) FROM entitlement x WHERE x.trace_no IS NOT NULL \
            AND NOT EXISTS (SELECT 1 FROM entitlement_trace t \
            WHERE t.run_id = x.run_id AND t.trace_no = x.trace_no)";
        let n: i64 = db_run!(self, |pool| sqlx::query_scalar(TRACE).fetch_one(pool).await)
            .ctx("检查数据引用")?;
        if n > 0 {
            out.push(("资助名单引用了不存在的资助依据", n));
        }
        Ok(out)
    }
}
