//! The HTTP layer, by what is asked for: the transport every call shares ([`transport`]),
//! the documents, the claims and the webhook subscriptions.

pub mod claims;
pub mod documents;
pub mod subscriptions;
pub mod transport;

pub use claims::{claim_in_flight, file_claim, list_claims, ClaimError, Listed, Receipt, Receipts};
pub use documents::{fetch_document, FetchError, Fetched, Known, Responses};
pub use subscriptions::{
    create_subscription, delete_subscription, list_subscriptions, subscription_url,
    NewSubscription, SubsError, Subscription,
};
pub use transport::{request, Answer, ApiError, Call, Cancel, Failure, Method};
