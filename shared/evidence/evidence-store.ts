/**
 * Where evidence files are kept: an S3 bucket in AWS, the data folder on one machine. The API never
 * handles file bytes; it hands out a short-lived upload URL bound to one key, type and size, and the
 * client sends the file there.
 */
export interface EvidenceStore {
  createUpload(input: {
    key: string;
    contentType: string;
    /** Exactly this many bytes must be sent. */
    size: number;
    expiresInSeconds: number;
    /** The instant the URL is issued at (time is a parameter, never read from a global clock). */
    now: Date;
  }): Promise<EvidenceUploadTarget>;
  /** Whether a file is stored under `key`. */
  exists(key: string): Promise<boolean>;
  /** What is stored under `key` (its size and what identifies its bytes), or undefined when nothing is. */
  describe(key: string): Promise<StoredEvidenceFile | undefined>;
  /**
   * A short-lived URL that downloads the file under `key` as an attachment named `fileName` (any
   * characters; an ASCII fallback is derived from the key). Whoever holds the URL can read the file
   * until `expiresAt`: hand it only to someone allowed to, and keep the expiry short.
   */
  createDownload(input: {
    key: string;
    fileName: string;
    /** The file as a submission recorded it: the URL serves exactly those bytes or nothing. */
    recorded?: StoredEvidenceFile | undefined;
    expiresInSeconds: number;
    now: Date;
  }): Promise<EvidenceDownloadTarget>;
}

/**
 * What identifies a stored file's bytes, recorded in the submission that lists it. A file is never
 * replaced once uploaded (the upload is conditional on the key being free); a download of a
 * submitted file still checks these, so it serves what was submitted or nothing.
 */
export interface StoredEvidenceFile {
  size: number;
  /** Hex SHA-256 of the bytes, where the store computes it (the local folder). */
  sha256?: string | undefined;
  /** The object version, where the store keeps versions (S3 with versioning on). */
  versionId?: string | undefined;
}

export interface EvidenceDownloadTarget {
  /** GET the file here. */
  url: string;
  expiresAt: Date;
}

export interface EvidenceUploadTarget {
  /** PUT the file here. */
  url: string;
  /** Headers the PUT must carry (the signature covers them). */
  headers: Record<string, string>;
  expiresAt: Date;
}
