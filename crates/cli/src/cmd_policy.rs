//! `zizhu policy check` and `zizhu policy test`.

use crate::ui::load_policy;
use std::path::PathBuf;
use zizhu_policy::cases::run_cases;

pub fn check(file: Option<PathBuf>) -> anyhow::Result<u8> {
    match load_policy(file.as_deref()) {
        Ok(p) => {
            let m = &p.policy.file.policy;
            println!(
                "政策文件 {} 检查通过：《{}》版本 {}，{} 个资助项目，适用 {} 至 {}。",
                p.label,
                m.name,
                m.version,
                p.policy.file.programs.len(),
                m.effective_from,
                m.effective_to
            );
            Ok(0)
        }
        Err(e) => {
            eprintln!("错误：{e}");
            Ok(crate::ui::policy_load_exit(&e))
        }
    }
}

pub fn test(file: Option<PathBuf>, cases: Option<PathBuf>) -> anyhow::Result<u8> {
    let p = match load_policy(file.as_deref()) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("错误：{e}");
            return Ok(crate::ui::policy_load_exit(&e));
        }
    };
    let case_path = cases.or_else(|| {
        let base = file
            .clone()
            .unwrap_or_else(|| PathBuf::from(crate::ui::DEFAULT_POLICY));
        let stem = base.file_stem()?.to_string_lossy().into_owned();
        let c = base.with_file_name(format!("{stem}.cases.toml"));
        c.exists().then_some(c)
    });
    let (src, label) = match (&case_path, &file) {
        (Some(c), _) => (std::fs::read_to_string(c)?, c.display().to_string()),
        // A policy file without its own cases must not be tested against the 2023 cases.
        (None, Some(f)) => {
            let stem = f
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            eprintln!(
                "未找到样例文件 {}：请把 policy/2023.cases.toml 复制为该文件，按新政策改写样例和金额，或用 --cases 指定。",
                f.with_file_name(format!("{stem}.cases.toml")).display()
            );
            return Ok(1);
        }
        (None, None) => (
            crate::EMBEDDED_CASES.to_string(),
            "内置 policy/2023.cases.toml".to_string(),
        ),
    };
    let results = match run_cases(&p.policy, &src) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("样例文件 {label} {e}");
            return Ok(1);
        }
    };
    let failed = results.iter().filter(|r| !r.passed).count();
    for r in &results {
        if r.passed {
            println!("通过  {}", r.name);
        } else {
            println!("失败  {}", r.name);
            for d in &r.detail {
                println!("        {d}");
            }
        }
    }
    println!(
        "\n样例 {label}：{} 个，通过 {}，失败 {}。",
        results.len(),
        results.len() - failed,
        failed
    );
    Ok(if failed == 0 { 0 } else { 1 })
}
