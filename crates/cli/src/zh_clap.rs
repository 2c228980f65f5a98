//! clap's own words in Chinese: the help's headings, the help and version flags, and the
//! messages for arguments clap refuses (unknown option, missing value, bad value…). The help
//! texts themselves are the doc comments in `main.rs`, already in Chinese.

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{Arg, ArgAction, Command};

/// `cmd` and all its subcommands with Chinese headings, `-h/--help` (显示帮助) on every command
/// and `-V/--version` (显示版本) on the top one.
pub fn localize(cmd: Command) -> Command {
    let cmd = cmd.disable_version_flag(true).arg(
        Arg::new("version")
            .short('V')
            .long("version")
            .action(ArgAction::Version)
            .help("显示版本"),
    );
    headings(cmd.disable_help_subcommand(true))
}

fn headings(cmd: Command) -> Command {
    cmd.help_template("{about-with-newline}\n用法：{usage}\n\n{all-args}{after-help}\n")
        .subcommand_help_heading("命令")
        .subcommand_value_name("命令")
        .disable_help_flag(true)
        .mut_args({
            // Positionals keep their order under their heading (clap would sort them by name).
            let mut nth = 0;
            move |a| {
                if a.get_help_heading().is_some() {
                    a
                } else if a.is_positional() {
                    nth += 1;
                    a.help_heading("参数").display_order(nth)
                } else {
                    a.help_heading("选项")
                }
            }
        })
        .arg(
            Arg::new("help")
                .short('h')
                .long("help")
                .action(ArgAction::Help)
                .help("显示帮助")
                .help_heading("选项"),
        )
        .mut_subcommands(headings)
}

/// Help (or usage) text as clap renders it, with the few English words clap writes itself in
/// Chinese: the `[OPTIONS]` of a usage line, the `[env: …]`/`[default: …]`/`[possible values:
/// …]` notes, and a full-width colon after each heading.
pub fn words(text: &str) -> String {
    let mut out = text
        .replace("[OPTIONS]", "[选项]")
        .replace("[env: ", "[环境变量 ")
        .replace("[default: ", "[默认 ")
        .replace("[possible values: ", "[可选 ");
    for heading in ["命令", "选项", "参数"] {
        out = out.replace(&format!("{heading}:\n"), &format!("{heading}：\n"));
    }
    out
}

/// The Chinese message for a refused command line; `None` for help and version output, which
/// clap prints itself.
pub fn message(e: &clap::Error) -> Option<String> {
    let text = |kind| match e.get(kind) {
        Some(ContextValue::String(s)) => s.clone(),
        Some(ContextValue::Strings(v)) => v.join("、"),
        Some(ContextValue::Number(n)) => n.to_string(),
        Some(ContextValue::StyledStr(s)) => s.to_string(),
        _ => String::new(),
    };
    let arg = text(ContextKind::InvalidArg);
    let value = text(ContextKind::InvalidValue);
    let mut msg = match e.kind() {
        ErrorKind::DisplayHelp
        | ErrorKind::DisplayVersion
        | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => return None,
        ErrorKind::InvalidValue if value.is_empty() => format!("参数 {arg} 缺少值"),
        ErrorKind::InvalidValue => format!("参数 {arg} 的值“{value}”无效"),
        ErrorKind::ValueValidation => {
            let why = std::error::Error::source(e)
                .map(|s| format!("：{s}"))
                .unwrap_or_default();
            format!("参数 {arg} 的值“{value}”无效{why}")
        }
        ErrorKind::UnknownArgument => format!("无法识别的参数 {arg}"),
        ErrorKind::InvalidSubcommand => {
            format!("没有命令 {}", text(ContextKind::InvalidSubcommand))
        }
        ErrorKind::MissingRequiredArgument => format!("缺少必需的参数：{arg}"),
        ErrorKind::MissingSubcommand => "缺少命令".to_string(),
        ErrorKind::ArgumentConflict => {
            format!("参数 {arg} 不能与 {} 同时使用", text(ContextKind::PriorArg))
        }
        ErrorKind::TooManyValues => format!("参数 {arg} 的值太多：“{value}”"),
        ErrorKind::TooFewValues | ErrorKind::WrongNumberOfValues => {
            format!("参数 {arg} 的值个数不对")
        }
        ErrorKind::NoEquals => format!("参数 {arg} 须用等号给值（{arg}=值）"),
        ErrorKind::InvalidUtf8 => "命令行中有无效的 UTF-8 文字".to_string(),
        _ => format!("命令行有误：{}", e.kind()),
    };
    let valid = text(ContextKind::ValidValue);
    if !valid.is_empty() {
        msg += &format!("；可选：{valid}");
    }
    for kind in [ContextKind::SuggestedArg, ContextKind::SuggestedSubcommand] {
        let s = text(kind);
        if !s.is_empty() {
            msg += &format!("；是否想用 {s}？");
        }
    }
    let usage = words(&text(ContextKind::Usage));
    let usage = usage.trim().trim_start_matches("Usage:").trim();
    if !usage.is_empty() {
        msg += &format!("\n用法：{usage}\n查看帮助：在命令后加 --help");
    }
    Some(msg)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    fn refused(args: &[&str]) -> String {
        let cmd = localize(crate::Cli::command());
        match cmd.try_get_matches_from(args) {
            Ok(_) => panic!("{args:?} was accepted"),
            Err(e) => message(&e).unwrap_or_else(|| panic!("{args:?}: no message")),
        }
    }

    #[test]
    fn refusals_are_in_chinese_and_name_the_argument() {
        let m = refused(&["zizhu", "compute", "--trem", "2023-autumn"]);
        assert!(m.starts_with("无法识别的参数 --trem"), "{m}");
        assert!(m.contains("是否想用 --term"), "{m}");
        let m = refused(&["zizhu", "computer"]);
        assert!(m.starts_with("没有命令 computer"), "{m}");
        let m = refused(&["zizhu", "compute", "--term", "2023-winter"]);
        assert!(
            m.starts_with("参数 --term <TERM> 的值“2023-winter”无效："),
            "{m}"
        );
        let m = refused(&["zizhu", "import"]);
        assert!(m.starts_with("缺少必需的参数"), "{m}");
        assert!(!m.contains("error:") && !m.contains("Usage:"), "{m}");
    }

    #[test]
    fn help_has_chinese_headings() {
        let mut cmd = localize(crate::Cli::command());
        let help = cmd.render_help().to_string();
        assert!(help.contains("用法：") && help.contains("命令") && help.contains("选项"));
        assert!(
            help.contains("显示帮助") && help.contains("显示版本"),
            "{help}"
        );
        assert!(
            !help.contains("Usage:") && !help.contains("Options:"),
            "{help}"
        );
        let sub = cmd
            .find_subcommand_mut("compute")
            .map(|c| c.render_help().to_string());
        let sub = sub.unwrap_or_default();
        assert!(
            sub.contains("显示帮助") && !sub.contains("Print help"),
            "{sub}"
        );
    }
}
