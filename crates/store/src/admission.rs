//! Normal-school targeted admission (师范“三定向”, 三(二), migration 0014), as stored: each year's
//! category lines with their floor, and the applicants with their scores (tenths of a point).

use crate::error::{Ctx, StoreError, StoreResult};
use crate::Db;
use std::collections::HashSet;
use zizhu_domain::admission::{Applicant, CategoryLine, Floor, Score};

type RawLine = (
    i64,
    String,
    i64,
    String,
    Option<i64>,
    Option<i64>,
    Option<i64>,
);
type RawApplicant = (i64, String, String, String, i64, bool, bool);

impl Db {
    /// The rows of a list replaced year by year (高考录取, 师范定向控制线, 师范定向考生), per year.
    pub async fn rows_by_year(
        &self,
        kind: zizhu_domain::ListKind,
    ) -> StoreResult<std::collections::BTreeMap<i32, i64>> {
        let sql = format!(
            "SELECT year, CAST(COUNT(*) AS BIGINT) FROM {} GROUP BY year",
            crate::import_rows::table_of(kind)
        );
        let rows: Vec<(i64, i64)> = db_run!(self, |pool| sqlx::query_as(sqlx::AssertSqlSafe(
            sql.clone()
        ))
        .fetch_all(pool)
        .await)
        .ctx("统计名单")?;
        Ok(rows
            .into_iter()
            .filter_map(|(y, n)| i32::try_from(y).ok().map(|y| (y, n)))
            .collect())
    }

    /// The years with control lines (a year can be analysed only with them), newest first.
    pub async fn admission_years(&self) -> StoreResult<Vec<i32>> {
        let years: Vec<i64> = db_run!(self, |pool| sqlx::query_scalar(
            "SELECT DISTINCT year FROM admission_line ORDER BY year DESC"
        )
        .fetch_all(pool)
        .await)
        .ctx("读取师范定向名单")?;
        Ok(years
            .into_iter()
            .filter_map(|y| i32::try_from(y).ok())
            .collect())
    }

    /// The category lines of `year`, by category.
    pub async fn admission_lines(&self, year: i32) -> StoreResult<Vec<CategoryLine>> {
        let raw: Vec<RawLine> = db_run!(self, |pool| sqlx::query_as(
            "SELECT year, category, control_tenths, floor_kind, floor_tenths, percent_bp, \
             total_tenths FROM admission_line WHERE year = $1 ORDER BY category"
        )
        .bind(i64::from(year))
        .fetch_all(pool)
        .await)
        .ctx("读取师范定向控制线")?;
        raw.into_iter()
            .map(|(y, category, control, kind, given, bp, total)| {
                let floor = match (kind.as_str(), given, bp, total) {
                    ("given", Some(g), _, _) => Floor::Given(Score(g)),
                    ("proportion", _, Some(percent_bp), Some(t)) => Floor::Proportion {
                        percent_bp,
                        total: Score(t),
                    },
                    _ => {
                        return Err(StoreError::Invalid(format!(
                            "{y}年“{category}”的省定最低分记录不完整"
                        )))
                    }
                };
                Ok(CategoryLine {
                    year: i32::try_from(y).unwrap_or_default(),
                    category,
                    control_line: Score(control),
                    floor,
                })
            })
            .collect()
    }

    /// The applicants of `year`, by category and score (highest first).
    pub async fn admission_applicants(&self, year: i32) -> StoreResult<Vec<Applicant>> {
        let raw: Vec<RawApplicant> = db_run!(self, |pool| sqlx::query_as(
            "SELECT year, id_number, name, category, score_tenths, fresh_graduate, \
             hukou_in_county FROM admission_applicant WHERE year = $1 \
             ORDER BY category, score_tenths DESC, id_number"
        )
        .bind(i64::from(year))
        .fetch_all(pool)
        .await)
        .ctx("读取师范定向考生")?;
        Ok(raw
            .into_iter()
            .map(
                |(y, id_number, name, category, score, fresh, hukou)| Applicant {
                    year: i32::try_from(y).unwrap_or_default(),
                    id_number,
                    name,
                    category,
                    score: Score(score),
                    fresh_graduate: fresh,
                    hukou_in_county: hukou,
                },
            )
            .collect())
    }

    /// Members of registered-poor households (建档立卡) among `ids`: those not exited, and with
    /// `include_exited` those whose household exited poverty too.
    pub async fn registered_poor_among(
        &self,
        ids: &[String],
        include_exited: bool,
    ) -> StoreResult<HashSet<String>> {
        let mut found = HashSet::new();
        for chunk in ids.chunks(500) {
            let list = chunk
                .iter()
                .enumerate()
                .map(|(i, _)| format!("${}", i + 2))
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!(
                "SELECT DISTINCT id_number FROM poor_member WHERE ($1 OR status = 'not_exited') \
                 AND id_number IN ({list})"
            );
            let rows: Vec<String> = db_run!(self, |pool| {
                let mut q =
                    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.clone())).bind(include_exited);
                for id in chunk {
                    q = q.bind(id);
                }
                q.fetch_all(pool).await
            })
            .ctx("读取建档立卡名单")?;
            found.extend(rows);
        }
        Ok(found)
    }
}
