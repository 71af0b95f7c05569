"""factory_boy factories for the Net Pracharat site's own models (volunteer profiles,
training cohorts); tests/factories.py hands them out too."""

import datetime

import factory

from npv_site.accounts.models import VolunteerProfile
from tests.factories import UserFactory


class VolunteerProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VolunteerProfile

    user = factory.SubFactory(UserFactory)
    title = "นาง"
    first_name = "สมหญิง"
    last_name = "รักถิ่น"
    phone = factory.Sequence(lambda n: f"08{n:08d}")
    province = "ชุมพร"
    district = "เมืองชุมพร"
    subdistrict = "หาดพันไกร"
    village_no = 2
    village_name = "บ้านหาดกลาง"


class TrainingCohortFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "cohorts.TrainingCohort"
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"รุ่นทดสอบ {n}")
    venue = "ศาลากลางจังหวัดชุมพร"
    start_date = datetime.date(2019, 1, 28)
    end_date = datetime.date(2019, 1, 30)

    @factory.post_generation
    def trainers(self, create, extracted, **kwargs):
        if create and extracted:
            self.trainers.set(extracted)

    @factory.post_generation
    def courses(self, create, extracted, **kwargs):
        if create and extracted:
            self.courses.set(extracted)

    @factory.post_generation
    def provinces(self, create, extracted, **kwargs):
        if create and extracted:
            from npv_site.cohorts.models import Province

            self.provinces.set(Province.objects.filter(name__in=extracted))
