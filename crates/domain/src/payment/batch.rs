//! Payment batches (发放批次) and the ledger (发放台账).
//!
//! A batch is made from an approved (locked) roster for one term, fund source and paying unit;
//! it moves draft → submitted (its file went to the bank) → paid or partly failed (the bank's
//! return is in) → closed. The ledger records what happened to each line — paid, failed,
//! re-issued in a later batch, reversed (清退, a payment made in error) and recovered — and is
//! never changed in place.

use crate::model::labelled_enum;

labelled_enum! {
    /// Where a payment batch stands (批次状态).
    BatchState {
        Draft = "draft", "草稿";
        Submitted = "submitted", "已提交银行";
        Paid = "paid", "已发放";
        PartlyFailed = "partly_failed", "部分失败";
        Closed = "closed", "已结束";
    }
}

labelled_enum! {
    /// An entry of the payment ledger (发放台账条目).
    LedgerKind {
        /// The bank paid the line (发放成功).
        Paid = "paid", "发放成功";
        /// The bank returned the line (发放失败), with its reason.
        Failed = "failed", "发放失败";
        /// A failed line put in a re-issue batch (重新发放), naming the new line.
        Reissued = "reissued", "重新发放";
        /// A payment made in error (清退), with the reason; the money is to be recovered.
        Reversed = "reversed", "清退";
        /// Money of a reversed payment recovered (已追回), with the amount.
        Recovered = "recovered", "已追回";
    }
}

/// A line's outcome in a bank's return file (银行回盘).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineOutcome {
    Paid,
    Failed,
}

impl LineOutcome {
    /// Reads the result column of a return file: 成功 / 失败 and their usual spellings.
    pub fn parse(s: &str) -> Option<LineOutcome> {
        match s.trim() {
            "成功" | "已成功" | "发放成功" | "交易成功" | "是" | "S" | "s" | "success"
            | "SUCCESS" => Some(LineOutcome::Paid),
            "失败" | "发放失败" | "交易失败" | "退回" | "否" | "F" | "f" | "failed" | "FAILED" => {
                Some(LineOutcome::Failed)
            }
            _ => None,
        }
    }
}

/// Why a batch may not move.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BatchError {
    #[error("批次状态为“{from}”，不能{action}")]
    State {
        from: &'static str,
        action: &'static str,
    },
}

impl BatchState {
    /// Checks that a draft is submitted (its file sent to the bank).
    pub fn submit(self) -> Result<BatchState, BatchError> {
        match self {
            BatchState::Draft => Ok(BatchState::Submitted),
            from => Err(BatchError::State {
                from: from.zh(),
                action: "提交银行",
            }),
        }
    }

    /// The state once a return is recorded: still submitted while lines await their outcome,
    /// else paid, or partly failed when any line failed.
    pub fn after_return(self, pending: i64, failed: i64) -> Result<BatchState, BatchError> {
        match self {
            BatchState::Submitted => Ok(if pending > 0 {
                BatchState::Submitted
            } else if failed > 0 {
                BatchState::PartlyFailed
            } else {
                BatchState::Paid
            }),
            from => Err(BatchError::State {
                from: from.zh(),
                action: "导入银行回盘",
            }),
        }
    }

    /// Checks that a batch whose return is complete is closed.
    pub fn close(self) -> Result<BatchState, BatchError> {
        match self {
            BatchState::Paid | BatchState::PartlyFailed => Ok(BatchState::Closed),
            from => Err(BatchError::State {
                from: from.zh(),
                action: "结束",
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_batch_moves_draft_submitted_returned_closed() {
        let s = BatchState::Draft.submit();
        assert_eq!(s, Ok(BatchState::Submitted));
        assert_eq!(
            BatchState::Submitted.after_return(3, 1),
            Ok(BatchState::Submitted)
        );
        assert_eq!(
            BatchState::Submitted.after_return(0, 0),
            Ok(BatchState::Paid)
        );
        assert_eq!(
            BatchState::Submitted.after_return(0, 2),
            Ok(BatchState::PartlyFailed)
        );
        assert_eq!(BatchState::PartlyFailed.close(), Ok(BatchState::Closed));
        // Out of order: refused, saying why.
        assert_eq!(
            BatchState::Draft.after_return(0, 0),
            Err(BatchError::State {
                from: "草稿",
                action: "导入银行回盘"
            })
        );
        assert!(BatchState::Submitted.submit().is_err());
        assert!(BatchState::Submitted.close().is_err());
        assert!(BatchState::Closed.close().is_err());
    }

    #[test]
    fn return_results_in_the_usual_spellings() {
        assert_eq!(LineOutcome::parse(" 成功 "), Some(LineOutcome::Paid));
        assert_eq!(LineOutcome::parse("交易失败"), Some(LineOutcome::Failed));
        assert_eq!(LineOutcome::parse("处理中"), None);
    }
}
