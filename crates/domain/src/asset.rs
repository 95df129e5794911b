//! Assets: the computers, printers, phones and licenses the desk supports, who has them
//! and where they are. Tickets link to the assets they concern.

use crate::id::{AssetId, UserId};
use crate::string_enum;
use jiff::Timestamp;
use jiff::civil::Date;

string_enum!(
    /// What kind of thing an asset is.
    AssetType {
        /// A desktop or laptop.
        Computer = "computer",
        /// A monitor or other display.
        Monitor = "monitor",
        /// A printer or scanner.
        Printer = "printer",
        /// A desk or mobile phone.
        Phone = "phone",
        /// A tablet.
        Tablet = "tablet",
        /// A server.
        Server = "server",
        /// A switch, router or access point.
        Network = "network",
        /// A software license or subscription.
        Software = "software",
        /// Anything else.
        Other = "other",
    }
);

/// One asset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Asset {
    /// Id.
    pub id: AssetId,
    /// The inventory tag on the device (unique).
    pub tag: String,
    /// The manufacturer's serial number.
    pub serial: Option<String>,
    /// What kind of thing it is.
    pub asset_type: AssetType,
    /// Who made it.
    pub manufacturer: Option<String>,
    /// The manufacturer's model number.
    pub model: Option<String>,
    /// Where it is.
    pub location: Option<String>,
    /// Who has it.
    pub assigned_to: Option<UserId>,
    /// When it was bought.
    pub purchase_date: Option<Date>,
    /// When the warranty ends.
    pub warranty_end: Option<Date>,
    /// The license key, support contract or lease it is covered by.
    pub contract: Option<String>,
    /// When it was recorded.
    pub created_at: Timestamp,
    /// When it last changed.
    pub updated_at: Timestamp,
}

impl Asset {
    /// Whether the warranty has ended by `today`.
    pub fn is_out_of_warranty(&self, today: Date) -> bool {
        self.warranty_end.is_some_and(|end| end < today)
    }

    /// A one-line label: tag, type and model.
    pub fn label(&self) -> String {
        let model = [self.manufacturer.as_deref(), self.model.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        if model.is_empty() {
            format!("{} ({})", self.tag, self.asset_type)
        } else {
            format!("{} ({}, {model})", self.tag, self.asset_type)
        }
    }
}
