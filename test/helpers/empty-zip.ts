// The smallest valid zip, its end-of-central-directory record alone: it stands for the staged function source
// where Terraform only needs a file it can read.
export const EMPTY_ZIP = Buffer.concat([Buffer.from([0x50, 0x4b, 0x05, 0x06]), Buffer.alloc(18)]);
