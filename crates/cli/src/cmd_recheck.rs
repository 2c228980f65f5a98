//! `zizhu audit households` and `zizhu audit rectify` (脱贫成果回查监测, 四(二)): the recheck of
//! every registered-poor household's children, and the measures taken on a gap.

use crate::ui::Ctx;
use std::path::PathBuf;
use zizhu_domain::Term;
use zizhu_store::PayActor;

fn who(ctx: &Ctx) -> PayActor<'_> {
    PayActor {
        name: &ctx.actor,
        origin: None,
    }
}

/// `zizhu audit households --term T [--out FILE]`: recheck, record, print the household gaps
/// in brief and write them all as a workbook.
pub async fn households(ctx: &Ctx, term: Term, out: Option<PathBuf>) -> anyhow::Result<u8> {
    let p = ctx.policy()?;
    let db = ctx.db().await?;
    let r = zizhu_app::recheck::recheck(&db, &p.policy, term, who(ctx)).await?;
    let county = &p.policy.file.policy.county_name;
    let title = format!("{county}{}脱贫成果回查监测：问题清单", term.label_zh());
    let out = out.unwrap_or_else(|| PathBuf::from(format!("{term}-回查监测问题清单.xlsx")));
    crate::export::make_parent(&out)?;
    zizhu_app::recheck::write_gaps(&out, &title, &r.gaps)?;
    println!("{title}");
    println!(
        "  建档立卡（含已脱贫）家庭 {} 户的义务教育适龄子女 {} 人；有未整改问题的 {} 户",
        r.households, r.children, r.households_with_gaps
    );
    println!(
        "  本次新发现 {} 个问题，仍未整改 {} 个，复查未再发现（已整改） {} 个",
        r.counts.new, r.counts.still_open, r.counts.rectified
    );
    let mut by_kind: std::collections::BTreeMap<&str, usize> = Default::default();
    for g in r.gaps.iter().filter(|g| g.rectified_at.is_none()) {
        *by_kind.entry(g.gap.kind.zh()).or_default() += 1;
    }
    for (k, n) in by_kind {
        println!("    {k}：{n} 个");
    }
    println!(
        "问题清单：{}（整改措施用 zizhu audit rectify 编号 --note … 登记）",
        out.display()
    );
    Ok(0)
}

/// `zizhu audit rectify ID --note …`: what was done about a gap.
pub async fn rectify(ctx: &Ctx, id: i64, note: &str) -> anyhow::Result<u8> {
    let db = ctx.db().await?;
    db.record_gap_action(id, note, who(ctx)).await?;
    println!("已登记问题 {id} 的整改措施。下次回查未再发现该问题时记为已整改。");
    Ok(0)
}
