//! Checks of what the schema does not enforce itself.

use crate::error::{Ctx, StoreResult};
use crate::Db;

/// Each reference that migration 0003 stopped enforcing with a foreign key (list rows and computed
/// results are bulk-written by the transaction that made their import batch or run, with ids it
/// had just made or read): a description for the user and the query counting rows that break it.
const REFERENCES: &[(&str, &str)] = &[
    (
        "困难类别引用了不存在的计算批次",
        "SELECT COUNT(*) FROM category c WHERE NOT EXISTS \
         (SELECT 1 FROM compute_run r WHERE r.id = c.run_id)",
    ),
    (
        "困难类别引用了不存在的导入批次",
        "SELECT COUNT(*) FROM category c WHERE NOT EXISTS \
         (SELECT 1 FROM import_batch b WHERE b.id = c.import_id)",
    ),
    (
        "资助名单引用了不存在的计算批次",
        "SELECT COUNT(*) FROM entitlement e WHERE NOT EXISTS \
         (SELECT 1 FROM compute_run r WHERE r.id = e.run_id)",
    ),
    (
        "学校名单引用了不存在的导入批次",
        "SELECT COUNT(*) FROM school x WHERE NOT EXISTS \
         (SELECT 1 FROM import_batch b WHERE b.id = x.import_id)",
    ),
    (
        "学籍引用了不存在的导入批次",
        "SELECT COUNT(*) FROM student x WHERE NOT EXISTS \
         (SELECT 1 FROM import_batch b WHERE b.id = x.import_id)",
    ),
    (
        "建档立卡名单引用了不存在的导入批次",
        "SELECT COUNT(*) FROM poor_member x WHERE NOT EXISTS \
         (SELECT 1 FROM import_batch b WHERE b.id = x.import_id)",
    ),
    (
        "低保、特困、城镇困难名单引用了不存在的导入批次",
        "SELECT COUNT(*) FROM assistance x WHERE NOT EXISTS \
         (SELECT 1 FROM import_batch b WHERE b.id = x.import_id)",
    ),
    (
        "残疾人名单引用了不存在的导入批次",
        "SELECT COUNT(*) FROM disabled_person x WHERE NOT EXISTS \
         (SELECT 1 FROM import_batch b WHERE b.id = x.import_id)",
    ),
    (
        "高考录取名单引用了不存在的导入批次",
        "SELECT COUNT(*) FROM college_admission x WHERE NOT EXISTS \
         (SELECT 1 FROM import_batch b WHERE b.id = x.import_id)",
    ),
    (
        "数据质量问题引用了不存在的计算批次",
        "SELECT COUNT(*) FROM quality_issue q WHERE NOT EXISTS \
         (SELECT 1 FROM compute_run r WHERE r.id = q.run_id)",
    ),
];

impl Db {
    /// Rows of computed results that name a compute run or an import batch that does not exist,
    /// as (what, how many rows); empty when every reference holds. `migrate-store` and `restore`
    /// refuse a database that fails it.
    ///
    /// Errors: [`crate::StoreError::Db`].
    pub async fn dangling_references(&self) -> StoreResult<Vec<(&'static str, i64)>> {
        let mut out = Vec::new();
        for (what, sql) in REFERENCES {
            let n: i64 = db_run!(self, |pool| sqlx::query_scalar(*sql).fetch_one(pool).await)
                .ctx("检查数据引用")?;
            if n > 0 {
                out.push((*what, n));
            }
        }
        Ok(out)
    }
}
