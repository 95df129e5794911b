//! The work queue's columns: which a person may choose, their order, and the set
//! shown until they choose.
//!
//! A choice is a list of column keys (`number`, `subject`, `sla_due`...) in the order
//! the rows show them. It is read from text (the API, the Columns form, the stored
//! row) with [`QueueColumns::parse`], which names the first key it does not know.

use std::fmt;

/// One column of the work queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QueueColumn {
    /// `#10042`.
    Number,
    /// The subject (a link to the ticket).
    Subject,
    /// Who asked.
    Requester,
    /// Where it stands.
    Status,
    /// Effective priority.
    Priority,
    /// The group working it.
    Group,
    /// Working on it now.
    Assignee,
    /// Accountable for it.
    Owner,
    /// Category.
    Category,
    /// Kind of request.
    Type,
    /// How it came in.
    Channel,
    /// Free labels.
    Tags,
    /// The most urgent SLA target.
    SlaDue,
    /// When it was reported.
    Created,
    /// Last change.
    Updated,
}

impl QueueColumn {
    /// Every column, in the order the Columns menu lists those not chosen.
    pub const ALL: [QueueColumn; 15] = [
        QueueColumn::Number,
        QueueColumn::Subject,
        QueueColumn::Requester,
        QueueColumn::Status,
        QueueColumn::Priority,
        QueueColumn::Group,
        QueueColumn::Assignee,
        QueueColumn::Owner,
        QueueColumn::Category,
        QueueColumn::Type,
        QueueColumn::Channel,
        QueueColumn::Tags,
        QueueColumn::SlaDue,
        QueueColumn::Created,
        QueueColumn::Updated,
    ];

    /// The key the API, the forms and the store use.
    pub fn key(self) -> &'static str {
        match self {
            QueueColumn::Number => "number",
            QueueColumn::Subject => "subject",
            QueueColumn::Requester => "requester",
            QueueColumn::Status => "status",
            QueueColumn::Priority => "priority",
            QueueColumn::Group => "group",
            QueueColumn::Assignee => "assignee",
            QueueColumn::Owner => "owner",
            QueueColumn::Category => "category",
            QueueColumn::Type => "type",
            QueueColumn::Channel => "channel",
            QueueColumn::Tags => "tags",
            QueueColumn::SlaDue => "sla_due",
            QueueColumn::Created => "created",
            QueueColumn::Updated => "updated",
        }
    }

    /// The heading people read.
    pub fn label(self) -> &'static str {
        match self {
            QueueColumn::Number => "Ticket",
            QueueColumn::Subject => "Subject",
            QueueColumn::Requester => "Requester",
            QueueColumn::Status => "Status",
            QueueColumn::Priority => "Priority",
            QueueColumn::Group => "Group",
            QueueColumn::Assignee => "Assignee",
            QueueColumn::Owner => "Owner",
            QueueColumn::Category => "Category",
            QueueColumn::Type => "Type",
            QueueColumn::Channel => "Channel",
            QueueColumn::Tags => "Tags",
            QueueColumn::SlaDue => "SLA due",
            QueueColumn::Created => "Created",
            QueueColumn::Updated => "Updated",
        }
    }

    /// The column with this key.
    pub fn parse(key: &str) -> Option<QueueColumn> {
        QueueColumn::ALL.into_iter().find(|c| c.key() == key)
    }
}

impl fmt::Display for QueueColumn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// Why a list of columns was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ColumnsError {
    /// A key no column has.
    #[error("unknown column '{0}'")]
    Unknown(String),
    /// The same column twice.
    #[error("column '{0}' is listed twice")]
    Repeated(QueueColumn),
    /// Neither the number nor the subject, so a row would not name its ticket.
    #[error("choose the number or the subject, so each row names its ticket")]
    NoTicketName,
}

/// A person's chosen columns, in order: known, each once, naming the ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueColumns(Vec<QueueColumn>);

impl QueueColumns {
    /// The columns shown until a person chooses: the queue as it always looked.
    pub fn standard() -> QueueColumns {
        QueueColumns(vec![
            QueueColumn::Priority,
            QueueColumn::Number,
            QueueColumn::Subject,
            QueueColumn::Status,
            QueueColumn::Assignee,
            QueueColumn::SlaDue,
            QueueColumn::Updated,
        ])
    }

    /// Checks a list of columns.
    ///
    /// # Errors
    /// [`ColumnsError`]: a repeated column, or neither number nor subject.
    pub fn new(columns: Vec<QueueColumn>) -> Result<QueueColumns, ColumnsError> {
        for (i, column) in columns.iter().enumerate() {
            if columns[..i].contains(column) {
                return Err(ColumnsError::Repeated(*column));
            }
        }
        if !columns
            .iter()
            .any(|c| matches!(c, QueueColumn::Number | QueueColumn::Subject))
        {
            return Err(ColumnsError::NoTicketName);
        }
        Ok(QueueColumns(columns))
    }

    /// Reads column keys in order.
    ///
    /// # Errors
    /// [`ColumnsError::Unknown`] naming the first key no column has, and those of
    /// [`QueueColumns::new`].
    pub fn parse<'k>(
        keys: impl IntoIterator<Item = &'k str>,
    ) -> Result<QueueColumns, ColumnsError> {
        let columns = keys
            .into_iter()
            .map(|key| {
                let key = key.trim();
                QueueColumn::parse(key).ok_or_else(|| ColumnsError::Unknown(key.to_owned()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        QueueColumns::new(columns)
    }

    /// The columns in order.
    pub fn columns(&self) -> &[QueueColumn] {
        &self.0
    }

    /// The keys joined with commas, as stored.
    pub fn to_text(&self) -> String {
        self.0.iter().map(|c| c.key()).collect::<Vec<_>>().join(",")
    }

    /// Reads [`QueueColumns::to_text`] back; `None` if it no longer reads (a column
    /// removed since), so the caller shows the standard set.
    pub fn from_text(text: &str) -> Option<QueueColumns> {
        QueueColumns::parse(text.split(',')).ok()
    }
}

impl Default for QueueColumns {
    fn default() -> Self {
        QueueColumns::standard()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_reads_back_as_its_column() {
        for column in QueueColumn::ALL {
            assert_eq!(QueueColumn::parse(column.key()), Some(column));
        }
    }

    #[test]
    fn columns_keep_the_order_given() {
        let columns = QueueColumns::parse(["updated", "subject", "tags"]).unwrap();
        assert_eq!(
            columns.columns(),
            [
                QueueColumn::Updated,
                QueueColumn::Subject,
                QueueColumn::Tags
            ]
        );
        assert_eq!(QueueColumns::from_text(&columns.to_text()), Some(columns));
    }

    #[test]
    fn an_unknown_key_is_named() {
        assert_eq!(
            QueueColumns::parse(["subject", "mood"]),
            Err(ColumnsError::Unknown("mood".to_owned()))
        );
    }

    #[test]
    fn a_repeated_column_is_refused() {
        assert_eq!(
            QueueColumns::parse(["subject", "status", "subject"]),
            Err(ColumnsError::Repeated(QueueColumn::Subject))
        );
    }

    #[test]
    fn rows_must_name_their_ticket() {
        assert_eq!(
            QueueColumns::parse(["status", "priority"]),
            Err(ColumnsError::NoTicketName)
        );
        assert_eq!(QueueColumns::parse([]), Err(ColumnsError::NoTicketName));
        assert!(QueueColumns::parse(["number"]).is_ok());
    }
}
