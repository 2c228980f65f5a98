//! The normal-school admission section of the policy file (`[admission]`, 三(二)): how many points
//! the "三定向" control line is lowered for registered-poor fresh graduates of the county, and
//! whether a household that exited poverty still counts (脱贫不脱政策).

use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdmissionSection {
    /// The clause that grants it, e.g. `三(二)`.
    pub clause: String,
    /// Points the category's minimum control line is lowered by (20 in 2023); whole points.
    pub lowering_points: u32,
    /// A member of a household that exited poverty (已脱贫) still counts as 建档立卡.
    #[serde(default = "yes")]
    pub include_exited: bool,
}

fn yes() -> bool {
    true
}

impl AdmissionSection {
    /// The lowering as a score.
    pub fn lowering(&self) -> zizhu_domain::admission::Score {
        zizhu_domain::admission::Score::points(i64::from(self.lowering_points))
    }
}
