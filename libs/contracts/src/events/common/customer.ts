import { Describe, IsEmailAddress, IsExternalId } from './field-rules';

export class Customer {
  @Describe("The storefront's customer id.")
  @IsExternalId()
  id!: string;

  @IsEmailAddress()
  email!: string;
}
