//! The optional configuration file (配置文件) `zizhu.toml`: the settings a server keeps from run to
//! run, so that they need not be typed each time. Read from `--config FILE` (env `ZIZHU_CONFIG`),
//! else from `zizhu.toml` in the current folder when it exists. A setting given on the command line
//! or in the environment wins over the file.
//!
//! ```toml
//! database = "postgres://zizhu@10.0.0.5/zizhu"   # same forms as --database
//! policy = "policy/2024.toml"                    # same as --policy
//! actor = "县学生资助管理中心"                      # same as --actor
//! ```

use anyhow::Context;
use std::path::{Path, PathBuf};

/// The default file, looked for in the current folder.
pub const DEFAULT_CONFIG: &str = "zizhu.toml";

/// The settings of the file; each is optional.
#[derive(Debug, Default, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub database: Option<String>,
    pub policy: Option<PathBuf>,
    pub actor: Option<String>,
}

/// Parses the text of a configuration file; `label` names it in the error.
pub fn parse(text: &str, label: &str) -> anyhow::Result<Config> {
    toml::from_str(text).map_err(|e| {
        let at = e
            .span()
            .map(|s| {
                let line = text.get(..s.start).map_or(0, |b| b.matches('\n').count()) + 1;
                format!("第{line}行：")
            })
            .unwrap_or_default();
        anyhow::anyhow!(
            "配置文件 {label} 有误：{at}{}（允许的设置：database、policy、actor）",
            e.message()
        )
    })
}

/// Loads `explicit`, else `zizhu.toml` in the current folder if there is one, else nothing.
///
/// Errors: an explicit file that cannot be read; a file that is not valid (line named).
pub fn load(explicit: Option<&Path>) -> anyhow::Result<Config> {
    let path = match explicit {
        Some(p) => p.to_path_buf(),
        None if Path::new(DEFAULT_CONFIG).is_file() => PathBuf::from(DEFAULT_CONFIG),
        None => return Ok(Config::default()),
    };
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("无法读取配置文件 {}", path.display()))?;
    parse(&text, &path.display().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_are_read() {
        let c = parse(
            "database = \"postgres://zizhu@db/zizhu\"\nactor = \"资助中心\"\n",
            "zizhu.toml",
        )
        .ok();
        assert_eq!(
            c,
            Some(Config {
                database: Some("postgres://zizhu@db/zizhu".into()),
                policy: None,
                actor: Some("资助中心".into()),
            })
        );
    }

    #[test]
    fn an_unknown_setting_is_named_with_its_line() {
        let e = parse("actor = \"x\"\ndatabse = \"sqlite:a.db\"\n", "zizhu.toml")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.contains("第2行"), "{e}");
        assert!(e.contains("databse"), "{e}");
    }
}
