export { createSealer, createSealerFromBase64, SealError, type Sealer, type SealingKey, type SealErrorReason } from './seal.js';
export { base32Encode, base32Decode, Base32Error } from './base32.js';
export {
  generateHotp,
  generateTotp,
  findTotpStep,
  totpStep,
  generateTotpSecret,
  otpauthUri,
  DEFAULT_TOTP,
  type TotpAlgorithm,
  type TotpParameters,
  type FindTotpStepOptions,
  type OtpauthUriOptions,
} from './totp.js';
export {
  createUserStore,
  AlreadyEnrolledError,
  type UserStore,
  type UserStoreOptions,
  type UserRecord,
  type SignInUser,
  type EnrollTotpOptions,
  type EnrollPushOptions,
  type PushEnrollment,
} from './user-store.js';
export {
  verifyTotp,
  verifyTotpAndDeliver,
  type VerifyTotpOptions,
  type TotpVerifyResult,
  type TotpVerifyOutcome,
  type TotpDelivery,
  type TotpDeliveryResult,
  type LikelyTotpOutcome,
} from './totp-verify.js';
export { generateMatchNumber, matchNumberEquals, normaliseMatchNumber } from './number-matching.js';
export {
  createChallengeStore,
  type ChallengeStore,
  type ChallengeStoreOptions,
  type NewChallenge,
  type ChallengeRecord,
  type ChallengeRequest,
  type ChallengePublicView,
  type ChallengeStatus,
  type ChallengeAction,
  type CreateChallengeResult,
  type DecisionResult,
  type UndeliveredReason,
} from './challenges.js';
export { ProviderError, providerFailure, type ProviderFailure, type ProviderErrorReason } from './provider-failure.js';
export type { PushNotification, PushNotifier, PushNotifierConfig, WebhookNotifierConfig, NtfyNotifierConfig } from './notifiers/push-notifier.js';
export type { PushSendHints } from './notifiers/push-notifier.js';
export { NotifierError } from './notifiers/notifier-error.js';
export { createWebhookNotifier } from './notifiers/webhook.js';
export { createNtfyNotifier } from './notifiers/ntfy.js';
export { generateNtfyTopic, usesPersonalNtfyTopic } from './notifiers/ntfy-topic.js';
export { enrollPushFor, type NtfySubscription } from './push-enrollment.js';
export { createNotifier } from './notifiers/create-notifier.js';
export {
  SenderError,
  type CodeSender,
  type CodeSenderConfig,
  type CodeChannel,
  type CodeRecipient,
  type CodeWebhookPayload,
  type WebhookSenderConfig,
  type AcsSenderConfig,
} from './senders/code-sender.js';
export { createWebhookSender } from './senders/webhook.js';
export { createCodeSender, type ExternalSenders } from './senders/create-sender.js';
export { createOtpCodeStore, type OtpCodeStore, type OtpCodeOptions, type OtpCodeOutcome, type OtpCodeVerdict, type IssuedCode } from './otp-codes.js';
export {
  createPushLimiter,
  readPushLimitWindows,
  activePushLimit,
  clearPushLimits,
  DEFAULT_PUSH_LIMITS,
  type PushLimiter,
  type PushLimitOptions,
  type PushLimitResult,
  type PushDecision,
  type PushLimitWindow,
} from './push-limits.js';
export {
  signWebhookBody,
  signedWebhookHeaders,
  verifyWebhookSignature,
  SIGNATURE_HEADER,
  SIGNATURE_TOLERANCE_SECONDS,
  TIMESTAMP_HEADER,
  type WebhookSignatureCheck,
} from './webhook-signature.js';
export type { OutboundFailure } from './outbound-http.js';
export {
  createEnrollmentLinks,
  enrollmentUrl,
  ENROLLMENT_ROUTE,
  type EnrollmentLinks,
  type EnrollmentLink,
  type EnrollmentMethod,
} from './enrollment-links.js';
export { approvalTokenKey, enrollmentLinkKey } from './link-tokens.js';
