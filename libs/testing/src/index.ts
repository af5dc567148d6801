export { freeTcpPort, freeUdpPort } from './free-port.js';
export { startRedis, startRedisServer, waitForRedis, RedisUnavailableError, type RedisHandle, type RedisServerOptions } from './redis-fixture.js';
export { startEntraStandin, createTestPki, certificateThumbprintSha256, type EntraStandin, type EntraStandinApp, type EntraStandinUser, type EntraStandinPhone, type EntraStandinSms, type EntraStandinCounters, type EntraStandinCall, type EntraStandinCallAnswer, type TestPki, type TestCertificate } from './entra-standin.js';
export { startFakePhone, type FakePhone, type FakePhoneOptions, type ReceivedPush, type ReceivedCode, type ReceivedNtfy, type RejectedRequest, type ApprovalAnswer } from './fake-phone.js';
export { startDaemonProcess, withPortRetry, lostPortRace, DaemonStartError, type DaemonProcess } from './daemon-process.js';
export { startSlapd, SLAPD_SUFFIX, SLAPD_SERVICE_DN, SLAPD_SERVICE_PASSWORD, SLAPD_USERS, SLAPD_GROUP_DN, type Slapd } from './slapd.js';
export { startFreeRadius, type FreeRadius, type FreeRadiusOptions } from './freeradius.js';
export { TestNas, buildTestRequest, verifyTestReply, MessageAuthenticatorNotFirstError, type TestRequestOptions, type RequestIdentity } from './test-nas.js';
