/** Data types of RFC 8044 as spelled in FreeRADIUS dictionaries. */
export type DataType =
  | 'string'
  | 'octets'
  | 'integer'
  | 'ipaddr'
  | 'ipv6addr'
  | 'ipv6prefix'
  | 'ifid'
  | 'integer64'
  | 'date'
  | 'short'
  | 'byte'
  | 'extended'
  | 'long-extended';

export interface AttributeDefinition {
  readonly name: string;
  readonly code: number;
  /** 0 for standard attributes */
  readonly vendorId: number;
  readonly type: DataType;
  /** RFC 2868 §3.1 tag octet */
  readonly hasTag: boolean;
  /** 0 none, 1 User-Password style (RFC 2865 §5.2), 2 salt encryption (RFC 2868 §3.5, RFC 2548 §2.4.2) */
  readonly encrypt: number;
  /** enum names to numbers */
  readonly values?: Readonly<Record<string, number>>;
}
