import type { RoleStarter } from '@radius-mfa/runtime';
import { createResultsStarter } from './start-results.js';

export { buildApp, type BuildAppOptions, type ResultsApp } from './app.js';
export { createResultsStarter, type ResultsOptions, type RunningResults } from './start-results.js';
export { listen, type ListeningServer } from './server.js';
export { createResultsDependencies, DEFAULT_HTTP_RATE_LIMITS, type ResultsDependencies, type HttpRateLimit, type HttpRateLimits } from './dependencies.js';
export { createAuditLog, type AuditLog, type AuditRecord } from './audit-log.js';
// Enrollment links live in @radius-mfa/mfa (the worker sends them too); re-exported for existing callers.
export { createEnrollmentLinks, enrollmentUrl, ENROLLMENT_ROUTE, type EnrollmentLinks, type EnrollmentLink, type EnrollmentMethod } from '@radius-mfa/mfa';
export { settleDecision, type SettledDecision } from './decisions.js';
export { VOICE_CALLBACK_ROUTE, voiceCallbackBaseUrl, type VoiceCallbackHandler } from './voice-callbacks.js';
export { voiceApprovalConfigured } from './voice-setup.js';

/** The `results` role: approvals, enrollment, admin API and OpenAPI over HTTP. */
export const startResults: RoleStarter = createResultsStarter();
