import { Describe, IsSlug, IsText, OptionalProperty } from './field-rules';

export class Supplier {
  @Describe('Supplier id; the name used in /v1/webhooks/suppliers/:supplier.')
  @IsSlug()
  id!: string;

  @OptionalProperty()
  @IsText(200)
  name?: string;
}
